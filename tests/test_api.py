"""The headless API: site scoping, typed blocks, drafts, writes, caching."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from treatments.blocks import TreatmentStreamBlock
from treatments.models import TreatmentPage

from .api.support import APIClient, openapi_document, token_for
from .helpers import full_body, make_image, make_treatment

TORONTO = "toronto.localhost:8000"
KELOWNA = "kelowna.localhost:8000"
LIST = "/api/v2/pages/?type=treatments.TreatmentPage&fields=*"
# Every block type of the treatment body, from its definition.
BLOCK_TYPES = list(TreatmentStreamBlock.base_blocks)


@pytest.fixture
def api(client):
    return APIClient(client)


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("editor", password="x")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def illustrated(clinic_sites):
    """A Kelowna treatment with a hero image and every block, linking to a page."""
    image = make_image(title="Needle")
    image.description = "A fine needle"
    image.save()
    return make_treatment(
        clinic_sites.kelowna.index,
        title="Illustrated",
        hero_image=image,
        body=full_body(image=image, link_page=clinic_sites.kelowna.index),
    )


def titles(response):
    return sorted(item["title"] for item in response.json()["items"])


# Site scoping


def test_listing_shows_only_the_hosts_clinic(api, treatment_page, kelowna_treatment):
    kelowna = api.get(LIST, host=KELOWNA)
    assert titles(kelowna) == ["Kelowna Prolotherapy"]
    item = kelowna.json()["items"][0]
    assert item["body"][0]["value"]["heading"] == "Mechanism heading"
    assert item["meta"]["html_url"] == (
        "http://kelowna.localhost:8000/treatments/kelowna-prolotherapy/"
    )
    assert titles(api.get(LIST, host=TORONTO)) == ["Prolotherapy"]
    # ?site= picks the clinic regardless of the Host.
    assert titles(api.get(LIST + "&site=kelowna.localhost")) == ["Kelowna Prolotherapy"]


def test_other_clinics_page_is_not_found(api, treatment_page, kelowna_treatment):
    for path in (
        f"/api/v2/pages/{kelowna_treatment.pk}/",
        f"/api/v3/pages/{kelowna_treatment.pk}/",
    ):
        assert api.get(path, host=TORONTO).status_code == 404
        assert api.get(path, host=KELOWNA).status_code == 200


def test_v3_listing_is_scoped(api, treatment_page, kelowna_treatment):
    response = api.get("/api/v3/pages/?type=treatments.TreatmentPage", host=KELOWNA)
    assert [item["title"] for item in response.json()["items"]] == [
        "Kelowna Prolotherapy"
    ]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_find_by_path_is_scoped(api, version, treatment_page, kelowna_treatment):
    find = f"/api/{version}/pages/find/?html_path=/treatments/kelowna-prolotherapy/"
    found = api.get(find, host=KELOWNA)
    assert found.status_code == 302
    assert api.get(found["Location"], host=KELOWNA).json()["id"] == kelowna_treatment.pk
    assert api.get(find, host=TORONTO).status_code == 404
    by_site = api.get(find + "&site=kelowna.localhost", host=TORONTO)
    assert by_site.status_code == 302


def test_search_is_scoped(api, treatment_page, kelowna_treatment):
    response = api.get("/api/v2/pages/?search=Prolotherapy", host=KELOWNA)
    assert titles(response) == ["Kelowna Prolotherapy"]


def test_clinic_identity_per_site(api, clinic_sites):
    kelowna = api.get("/api/v3/clinic/", host=KELOWNA).json()
    assert kelowna["name"] == "Kelowna Test Clinic"
    assert kelowna["booking_url"] == "https://booking.example.com/kelowna"
    assert kelowna["address_lines"] == ["2 Kelowna Avenue", "Kelowna, BC"]
    toronto = api.get("/api/v3/clinic/?site=toronto.localhost", host=KELOWNA).json()
    assert toronto["name"] == "Toronto Test Clinic"


# Typed blocks


def test_openapi_has_a_schema_per_block_type():
    document = openapi_document()
    schemas = document["components"]["schemas"]
    body = schemas["TreatmentPageSchema"]["properties"]["body"]["items"]
    assert body["discriminator"]["propertyName"] == "type"
    assert sorted(body["discriminator"]["mapping"]) == sorted(BLOCK_TYPES)
    values = set()
    for ref in body["discriminator"]["mapping"].values():
        item = schemas[ref.rsplit("/", 1)[-1]]
        values.add(item["properties"]["value"]["$ref"])
    assert len(values) == len(BLOCK_TYPES)
    write = schemas["TreatmentPageCreateSchema"]["properties"]["body"]["items"]
    assert sorted(write["discriminator"]["mapping"]) == sorted(BLOCK_TYPES)


def test_block_output_is_ready_to_use(api, illustrated, clinic_sites):
    v3 = api.get(f"/api/v3/pages/{illustrated.pk}/", host=KELOWNA).json()
    v2 = api.get(f"/api/v2/pages/{illustrated.pk}/", host=KELOWNA).json()
    assert v2["body"] == v3["body"]
    assert v2["hero_image"] == v3["hero_image"]
    blocks = {block["type"]: block["value"] for block in v3["body"]}
    assert set(blocks) == set(BLOCK_TYPES)
    assert blocks["faq"]["items"][0]["answer"] == "<p>Answer <b>one</b></p>"
    cta = blocks["call_to_action"]
    assert cta["link"] == "http://kelowna.localhost:8000/treatments/"
    assert cta["link_page"]["id"] == clinic_sites.kelowna.index.pk
    image = blocks["image"]["image"]
    assert image["alt"] == "Alt text of the image"
    small = image["renditions"]["small"]
    assert small["url"].startswith("http://kelowna.localhost:8000/media/images/")
    assert (small["width"], small["height"]) == (480, 270)
    hero = v3["hero_image"]
    assert hero["alt"] == "A fine needle"
    assert hero["renditions"]["large"]["width"] == 1600


def test_call_to_action_defaults_to_the_clinics_booking_url(api, kelowna_treatment):
    body = api.get(f"/api/v2/pages/{kelowna_treatment.pk}/", host=KELOWNA).json()[
        "body"
    ]
    cta = next(block for block in body if block["type"] == "call_to_action")
    assert cta["value"]["link"] == "https://booking.example.com/kelowna"


def test_rich_text_links_are_resolved(api, clinic_sites):
    index = clinic_sites.toronto.index
    body = [
        {
            "type": "rich_text",
            "value": {
                "heading": "",
                "body": f'<p><a linktype="page" id="{index.pk}">Our treatments</a></p>',
            },
        }
    ]
    page = make_treatment(index, title="Linked", body=body)
    detail = api.get(f"/api/v3/pages/{page.pk}/").json()
    assert detail["body"][0]["value"]["body"] == (
        '<p><a href="http://toronto.localhost:8000/treatments/">Our treatments</a></p>'
    )
    raw = api.get(f"/api/v3/pages/{page.pk}/?rich_text_format=db_html").json()
    assert 'linktype="page"' in raw["body"][0]["value"]["body"]


# Drafts and previews


@pytest.fixture
def with_draft(treatment_page):
    treatment_page.title = "Draft title"
    treatment_page.save_revision()
    return treatment_page


def test_drafts_never_reach_anonymous_callers(api, with_draft, clinic_sites):
    unpublished = make_treatment(clinic_sites.toronto.index, title="Unpublished")
    unpublished.unpublish()
    for path in (
        f"/api/v3/pages/{with_draft.pk}/?version=draft",
        f"/api/v2/pages/{with_draft.pk}/",
    ):
        assert api.get(path).json()["title"] == "Prolotherapy"
    assert api.get(f"/api/v3/pages/{unpublished.pk}/").status_code == 404
    assert "Unpublished" not in titles(api.get(LIST))


def test_editor_token_sees_the_draft(api, with_draft, editor):
    token = token_for(editor)
    path = f"/api/v3/pages/{with_draft.pk}/?version=draft"
    response = api.get(path, token=token)
    assert response.json()["title"] == "Draft title"
    assert "private" in response["Cache-Control"]
    # An unknown token is an anonymous caller: the live page, never the draft.
    stranger = api.get(path, token="not-a-real-token")
    assert stranger.json()["title"] == "Prolotherapy"


# Writes


def create_payload(clinic_sites, body):
    return {
        "meta": {
            "type": "treatments.TreatmentPage",
            "parent_id": clinic_sites.toronto.index.pk,
        },
        "title": "Written",
        "summary": "Written through the API",
        "body": body,
    }


def test_editor_creates_a_treatment_with_blocks(api, clinic_sites, editor):
    body = [b for b in full_body() if b["type"] != "call_to_action"]
    response = api.post(
        "/api/v3/pages/", create_payload(clinic_sites, body), token=token_for(editor)
    )
    assert response.status_code == 201, response.content
    page = TreatmentPage.objects.get(title="Written")
    assert [
        block.block_type for block in page.get_latest_revision_as_object().body
    ] == [b["type"] for b in body]


@pytest.mark.parametrize(
    ("block", "field"),
    [
        ({"type": "video", "value": {}}, "video"),
        ({"type": "mechanism", "value": {"heading": "H"}}, "steps"),
        ({"type": "faq", "value": {"items": "not a list"}}, "items"),
        ({"type": "image", "value": {"image": 999999, "alt_text": "A"}}, "image"),
        (
            {
                "type": "call_to_action",
                "value": {"link_url": "https://example.com", "link_page": "INDEX"},
            },
            "link",
        ),
    ],
)
def test_invalid_body_is_rejected_and_nothing_stored(
    api, clinic_sites, editor, block, field
):
    if block["value"].get("link_page") == "INDEX":
        block = {**block, "value": {**block["value"]}}
        block["value"]["link_page"] = clinic_sites.toronto.index.pk
    before = TreatmentPage.objects.count()
    response = api.post(
        "/api/v3/pages/",
        create_payload(clinic_sites, [block]),
        token=token_for(editor),
    )
    assert response.status_code in (400, 422)
    assert field in response.content.decode()
    assert TreatmentPage.objects.count() == before


def test_update_validates_the_body(api, treatment_page, editor):
    response = api.patch(
        f"/api/v3/pages/{treatment_page.pk}/",
        {"body": [{"type": "risks", "value": {"items": [{"title": 5}]}}]},
        token=token_for(editor),
    )
    assert response.status_code == 422
    assert "title" in response.content.decode()


def test_writes_need_a_token(api, clinic_sites):
    response = api.post("/api/v3/pages/", create_payload(clinic_sites, []))
    assert response.status_code == 401


# Query budgets


@pytest.mark.parametrize("count", [1, 10, 50])
def test_treatment_list_costs_the_same_for_any_number(
    api, clinic_sites, count, django_assert_max_num_queries
):
    image = make_image()
    for i in range(count):
        make_treatment(clinic_sites.toronto.index, title=f"T{i}", hero_image=image)
    path = "/api/v2/pages/?type=treatments.TreatmentPage&fields=summary,hero_image&limit=50"
    api.get(path)  # renditions are made once, on first use
    with django_assert_max_num_queries(12):
        response = api.get(path)
    assert len(response.json()["items"]) == count
    assert response.json()["items"][0]["hero_image"]["renditions"]["small"]["url"]


@pytest.mark.parametrize("images", [1, 10])
def test_treatment_detail_costs_the_same_for_any_number_of_images(
    api, clinic_sites, images, django_assert_max_num_queries
):
    body = []
    for i in range(images):
        body += full_body(image=make_image(title=f"I{i}", size=(64, 48)))
    page = make_treatment(clinic_sites.toronto.index, title="Long", body=body)
    path = f"/api/v3/pages/{page.pk}/"
    api.get(path)
    with django_assert_max_num_queries(14):
        response = api.get(path)
    assert len(response.json()["body"]) == len(body)


# HTTP caching


def test_conditional_get(api, treatment_page):
    path = f"/api/v2/pages/{treatment_page.pk}/"
    first = api.get(path)
    assert "max-age=60" in first["Cache-Control"]
    assert "public" in first["Cache-Control"]
    etag = first["ETag"]
    assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    treatment_page.summary = "A new summary"
    treatment_page.save_revision().publish()
    changed = api.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    v3 = api.get(f"/api/v3/pages/{treatment_page.pk}/")
    assert (
        api.get(
            f"/api/v3/pages/{treatment_page.pk}/", HTTP_IF_NONE_MATCH=v3["ETag"]
        ).status_code
        == 304
    )


# Malformed requests


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/pages/?limit=abc",
        "/api/v2/pages/?limit=-1",
        "/api/v2/pages/?offset=abc",
        "/api/v2/pages/?limit=100000",
        "/api/v2/pages/?offset=99999999999999999999999",
        "/api/v2/pages/?fields=nonexistent",
        "/api/v2/pages/?type=nope.Nothing",
        "/api/v2/pages/?site=nowhere.example.com",
        "/api/v2/pages/?search=%00",
        "/api/v2/pages/?site=%00",
        "/api/v2/pages/99999999999999999999999/",
        "/api/v2/pages/find/?html_path=%00",
        "/api/v2/pages/?child_of=abc",
        "/api/v3/pages/?limit=abc",
        "/api/v3/pages/?offset=-5",
        "/api/v3/pages/?type=nope.Nothing",
        "/api/v3/pages/?site=nowhere.example.com",
        "/api/v3/pages/abc/",
        "/api/v3/pages/99999999999999999999999/",
        "/api/v3/pages/?search=%00",
        "/api/v3/pages/find/?html_path=%00",
        "/api/v3/pages/1/?version=other",
        "/api/v3/pages/1/?rich_text_format=rtf",
        "/api/v3/clinic/?site=nowhere.example.com",
    ],
)
def test_malformed_requests_get_a_4xx_with_a_message(api, treatment_page, path):
    response = api.get(path)
    assert 400 <= response.status_code < 500
