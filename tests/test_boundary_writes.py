"""Writes keep the clinic boundary: what a page refers to (hero image, image
blocks, page links in choosers and rich text) must be of its own clinic, in
the admin and through the v3 API, and a v3 body field the API does not know
is refused rather than silently dropped."""

import pytest
from django.urls import reverse
from wagtail.models import Collection
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from treatments.models import TreatmentPage

from .api.support import APIClient, token_for
from .helpers import make_image, make_treatment, risks_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return APIClient(client)


@pytest.fixture
def media(clinic_sites):
    private = clinic_sites.kelowna.collection.add_child(name="Kelowna private")
    private.view_restrictions.create(restriction_type="login")
    return {
        "own": make_image("Toronto needle", collection=clinic_sites.toronto.collection),
        "other": make_image(
            "Kelowna needle", collection=clinic_sites.kelowna.collection
        ),
        "other_private": make_image("Kelowna private scan", collection=private),
        "installation": make_image(
            "Unfiled", collection=Collection.get_first_root_node()
        ),
    }


def payload(clinics, **fields):
    return {
        "meta": {
            "type": "treatments.TreatmentPage",
            "parent_id": clinics.toronto.index.pk,
        },
        "title": "Written",
        "summary": "Written through the API",
        "body": [{"type": "rich_text", "value": {"body": "<p>Text.</p>"}}],
        **fields,
    }


def image_block(image):
    return {"type": "image", "value": {"image": image.pk, "alt_text": "A needle"}}


def cta_block(page):
    return {
        "type": "call_to_action",
        "value": {"heading": "Book", "button_label": "Book", "link_page": page.pk},
    }


# v3


@pytest.mark.parametrize("which", ["other", "other_private", "installation"])
@pytest.mark.parametrize("where", ["hero_image_id", "image block"])
def test_v3_create_refuses_media_of_another_clinic(
    api, clinic_sites, editors, media, which, where
):
    image = media[which]
    fields = (
        {"hero_image_id": image.pk}
        if where == "hero_image_id"
        else {"body": [image_block(image)]}
    )
    response = api.post(
        "/api/v3/pages/",
        payload(clinic_sites, **fields),
        token=token_for(editors.toronto),
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    field = "hero_image" if where == "hero_image_id" else "body"
    assert any(field in map(str, error["loc"]) for error in errors), errors
    assert "another clinic" in response.content.decode()
    assert not TreatmentPage.objects.filter(title="Written").exists()


def test_v3_create_accepts_the_clinics_own_media(api, clinic_sites, editors, media):
    response = api.post(
        "/api/v3/pages/",
        payload(
            clinic_sites,
            hero_image_id=media["own"].pk,
            body=[image_block(media["own"]), cta_block(clinic_sites.toronto.index)],
        ),
        token=token_for(editors.toronto),
    )
    assert response.status_code == 201, response.content


def test_v3_update_refuses_a_link_to_another_clinics_page(
    api, clinic_sites, editors, treatment_page, kelowna_treatment
):
    response = api.patch(
        f"/api/v3/pages/{treatment_page.pk}/",
        {"body": [cta_block(kelowna_treatment)]},
        token=token_for(editors.toronto),
    )
    assert response.status_code == 422, response.content
    assert "another clinic" in response.content.decode()
    assert treatment_page.revisions.count() == 1


def test_v3_update_refuses_rich_text_linking_another_clinic(
    api, clinic_sites, editors, treatment_page, kelowna_treatment
):
    answer = f'<p><a linktype="page" id="{kelowna_treatment.pk}">theirs</a></p>'
    body = [
        {
            "type": "faq",
            "value": {
                "heading": "Questions",
                "items": [{"question": "Where?", "answer": answer}],
            },
        }
    ]
    response = api.patch(
        f"/api/v3/pages/{treatment_page.pk}/",
        {"body": body},
        token=token_for(editors.toronto),
    )
    assert response.status_code == 422, response.content
    assert "another clinic" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "unknown"),
    [
        ({"summry": "Misspelt"}, "summry"),
        ({"hero_image": 1}, "hero_image"),
        ({"meta": {"type": "treatments.TreatmentPage", "parnt_id": 1}}, "parnt_id"),
    ],
)
def test_v3_unknown_write_fields_are_a_422_naming_them(
    api, clinic_sites, editors, treatment_page, fields, unknown
):
    response = api.patch(
        f"/api/v3/pages/{treatment_page.pk}/",
        {"summary": "Changed", **fields},
        token=token_for(editors.toronto),
    )
    assert response.status_code == 422, response.content
    assert unknown in response.content.decode()
    draft = TreatmentPage.objects.get(
        pk=treatment_page.pk
    ).get_latest_revision_as_object()
    assert draft.summary == treatment_page.summary


def test_v3_known_fields_still_save(api, clinic_sites, editors, treatment_page):
    response = api.patch(
        f"/api/v3/pages/{treatment_page.pk}/",
        {"summary": "Changed"},
        token=token_for(editors.toronto),
    )
    assert response.status_code == 200, response.content
    draft = TreatmentPage.objects.get(
        pk=treatment_page.pk
    ).get_latest_revision_as_object()
    assert draft.summary == "Changed"


def test_v3_create_with_unknown_field_stores_nothing(api, clinic_sites, editors):
    response = api.post(
        "/api/v3/pages/",
        payload(clinic_sites, sumary="typo"),
        token=token_for(editors.toronto),
    )
    assert response.status_code == 422
    assert "sumary" in response.content.decode()
    assert not TreatmentPage.objects.filter(title="Written").exists()


# Admin


TEXT_SECTION = ("rich_text", {"heading": "", "body": rich_text("<p>Text.</p>")})
RISKS = ("risks", risks_value())


def edit_form(page, **fields):
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "summary": page.summary,
            "body": streamfield(fields.pop("body", [TEXT_SECTION, RISKS])),
            **fields,
        }
    )
    data["action-submit"] = "submit"
    return data


def test_admin_refuses_a_hero_image_of_another_clinic(
    client, editors, treatment_page, media
):
    client.force_login(editors.toronto)
    url = reverse("wagtailadmin_pages:edit", args=[treatment_page.pk])
    response = client.post(url, edit_form(treatment_page, hero_image=media["other"].pk))
    assert response.status_code == 200  # the form again, with the error
    assert "another clinic" in response.content.decode()
    draft = TreatmentPage.objects.get(
        pk=treatment_page.pk
    ).get_latest_revision_as_object()
    assert draft.hero_image_id is None


def test_admin_refuses_rich_text_linking_another_clinic(
    client, editors, treatment_page, kelowna_treatment
):
    client.force_login(editors.toronto)
    answer = rich_text(
        f'<p><a linktype="page" id="{kelowna_treatment.pk}">theirs</a></p>'
    )
    body = [
        (
            "faq",
            {
                "heading": "Questions",
                "items": {
                    "count": "1",
                    "0": {
                        "value": {"question": "Where?", "answer": answer},
                        "deleted": "",
                        "order": "0",
                        "id": "",
                    },
                },
            },
        )
    ]
    url = reverse("wagtailadmin_pages:edit", args=[treatment_page.pk])
    response = client.post(url, edit_form(treatment_page, body=body))
    assert response.status_code == 200
    assert "another clinic" in response.content.decode()


def test_admin_accepts_the_clinics_own_image(client, editors, treatment_page, media):
    client.force_login(editors.toronto)
    url = reverse("wagtailadmin_pages:edit", args=[treatment_page.pk])
    response = client.post(url, edit_form(treatment_page, hero_image=media["own"].pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = TreatmentPage.objects.get(
        pk=treatment_page.pk
    ).get_latest_revision_as_object()
    assert draft.hero_image_id == media["own"].pk


def test_copies_shared_to_another_clinic_are_told_what_to_replace(
    client, clinic_sites, editors, media
):
    """A treatment copied from Toronto keeps Toronto's image until Kelowna's
    editor replaces it; saving it says so instead of failing silently."""
    page = make_treatment(
        clinic_sites.kelowna.index, title="Copied", hero_image=media["own"]
    )
    client.force_login(editors.kelowna)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_form(page, hero_image=media["own"].pk))
    assert "another clinic" in response.content.decode()
