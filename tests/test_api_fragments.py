"""An API detail's body and JSON-LD are converted to JSON once per version of
what the answer shows (clinics.revalidation.fragment_key), for anonymous
callers only, in v2 and v3 alike: a publish, a change of a page it links to
or of the clinic's settings shows at once, each rich-text format is kept
apart, and no token is ever given or gives a kept part."""

import json

import pytest

from home.models import ClinicSettings
from treatments import structured_data
from treatments.api_blocks import TypedStream
from treatments.blocks import TreatmentStreamBlock

from .api.support import token_for
from .helpers import full_body, host_of, make_treatment

VERSIONS = ["v2", "v3"]


@pytest.fixture
def conversions(monkeypatch):
    """The bodies and JSON-LD graphs converted, by every request."""
    calls = []
    real_serialize = TypedStream.serialize
    real_json_ld = structured_data.treatment_json_ld

    def serialize(self, stream_value, request):
        calls.append("body")
        return real_serialize(self, stream_value, request)

    def json_ld(*args, **kwargs):
        calls.append("json-ld")
        return real_json_ld(*args, **kwargs)

    monkeypatch.setattr(TypedStream, "serialize", serialize)
    monkeypatch.setattr(structured_data, "treatment_json_ld", json_ld)
    return calls


def detail(client, site, page, version="v2", query="", **extra):
    response = client.get(
        f"/api/{version}/pages/{page.pk}/{query}", HTTP_HOST=host_of(site), **extra
    )
    assert response.status_code == 200, response.content[:300]
    return response.json()


def text_of(data):
    return json.dumps(data["body"])


@pytest.mark.parametrize("version", VERSIONS)
def test_an_anonymous_detail_converts_its_body_once(
    client, clinic_sites, treatment_page, conversions, version
):
    site = clinic_sites.toronto.site
    first = detail(client, site, treatment_page, version)
    assert sorted(conversions) == ["body", "json-ld"]
    second = detail(client, site, treatment_page, version)
    assert sorted(conversions) == ["body", "json-ld"]  # not converted again
    assert first == second
    assert "Mechanism heading" in text_of(first)
    assert first["structured_data"]["@graph"]


def test_both_versions_and_the_listing_show_the_same_body(
    client, clinic_sites, treatment_page
):
    site = clinic_sites.toronto.site
    v2 = detail(client, site, treatment_page, "v2")
    v3 = detail(client, site, treatment_page, "v3")
    listing = client.get(
        "/api/v2/pages/?type=treatments.TreatmentPage&fields=body,structured_data",
        HTTP_HOST=host_of(site),
    ).json()
    (listed,) = [item for item in listing["items"] if item["id"] == treatment_page.pk]
    assert v2["body"] == v3["body"] == listed["body"]
    assert v2["structured_data"] == v3["structured_data"] == listed["structured_data"]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_publish_shows_at_once(client, clinic_sites, treatment_page, version):
    site = clinic_sites.toronto.site
    assert "Mechanism heading" in text_of(detail(client, site, treatment_page, version))
    body = full_body()
    body[0]["value"]["heading"] = "A new heading"
    treatment_page.body = TreatmentStreamBlock().to_python(body)
    treatment_page.save_revision().publish()
    text = text_of(detail(client, site, treatment_page, version))
    assert "A new heading" in text
    assert "Mechanism heading" not in text


@pytest.mark.parametrize("version", VERSIONS)
def test_a_linked_page_renamed_shows_at_once(client, clinic_sites, version):
    toronto = clinic_sites.toronto
    target = make_treatment(toronto.index, title="Target", slug="target")
    linking = make_treatment(
        toronto.index, title="Linking", body=full_body(link_page=target)
    )
    assert "/target/" in text_of(detail(client, toronto.site, linking, version))
    target.slug = "target-renamed"
    target.save_revision().publish()
    text = text_of(detail(client, toronto.site, linking, version))
    assert "/target-renamed/" in text
    assert "/target/" not in text


@pytest.mark.parametrize("version", VERSIONS)
def test_clinic_settings_show_at_once(client, clinic_sites, treatment_page, version):
    site = clinic_sites.toronto.site
    before = detail(client, site, treatment_page, version)
    settings = ClinicSettings.for_site(site)
    settings.name = "Renamed Toronto Clinic"
    settings.booking_url = "https://booking.example.com/new-address"
    settings.save()
    after = detail(client, site, treatment_page, version)
    assert "https://booking.example.com/new-address" not in text_of(before)
    assert "https://booking.example.com/new-address" in text_of(after)
    assert "Renamed Toronto Clinic" in json.dumps(after["structured_data"])


def test_each_rich_text_format_is_kept_apart(client, clinic_sites):
    toronto = clinic_sites.toronto
    target = make_treatment(toronto.index, title="Target", slug="target")
    link = f'<p><a linktype="page" id="{target.pk}">Target</a></p>'
    linking = make_treatment(
        toronto.index,
        title="Linking",
        body=[{"type": "rich_text", "value": {"heading": "", "body": link}}],
    )
    for _ in range(2):  # the second time from what the first kept
        html = detail(client, toronto.site, linking, "v3")
        stored = detail(
            client, toronto.site, linking, "v3", "?rich_text_format=db_html"
        )
        assert stored["body"][0]["value"]["body"] == link
        assert html["body"][0]["value"]["body"] == (
            '<p><a href="http://toronto.localhost:8000/treatments/target/">'
            "Target</a></p>"
        )


@pytest.mark.parametrize("version", VERSIONS)
def test_tokens_neither_get_nor_give_kept_parts(
    client, clinic_sites, treatment_page, editors, conversions, version
):
    site = clinic_sites.toronto.site
    token = {"HTTP_AUTHORIZATION": f"Bearer {token_for(editors.toronto)}"}
    detail(client, site, treatment_page, version, **token)
    detail(client, site, treatment_page, version, **token)
    assert conversions.count("body") == 2
    detail(client, site, treatment_page, version)
    assert conversions.count("body") == 3  # what the token's answers made was not kept
    detail(client, site, treatment_page, version, **token)
    assert conversions.count("body") == 4  # nor is what anonymous callers keep given


def test_a_kept_body_stays_in_its_clinic(client, clinic_sites, treatment_page):
    """The same page asked for from the other clinic's host is not found,
    kept JSON or not."""
    detail(client, clinic_sites.toronto.site, treatment_page)
    for version in VERSIONS:
        response = client.get(
            f"/api/{version}/pages/{treatment_page.pk}/",
            HTTP_HOST=host_of(clinic_sites.kelowna.site),
        )
        assert response.status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_a_rich_text_format_that_is_none_is_a_400(
    client, clinic_sites, treatment_page, version
):
    response = client.get(
        f"/api/{version}/pages/{treatment_page.pk}/?rich_text_format=rtf",
        HTTP_HOST=host_of(clinic_sites.toronto.site),
    )
    assert 400 <= response.status_code < 500
    assert response.json()
