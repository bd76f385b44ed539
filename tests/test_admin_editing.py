"""Editors build treatment pages in the Wagtail admin; bad input is a form error."""

import pytest
from django.urls import reverse

from treatments.models import TreatmentPage

from .helpers import faq_value, mechanism_value, post_new_treatment, risks_value


def create_treatment(client, index, body, slug="new-treatment"):
    return post_new_treatment(client, index, body, slug=slug)


@pytest.mark.django_db
def test_editor_creates_treatment_with_faq(admin_client, clinic_sites):
    response = create_treatment(
        admin_client,
        clinic_sites.toronto.index,
        [
            ("faq", faq_value("Does it hurt?")),
            ("mechanism", mechanism_value("Step")),
            ("risks", risks_value()),
        ],
    )
    assert response.status_code == 302
    page = TreatmentPage.objects.get(slug="new-treatment")
    assert page.workflow_in_progress  # submitted for medical review
    draft = page.get_latest_revision_as_object()
    assert draft.body[0].block_type == "faq"
    assert draft.body[0].value["items"][0]["question"] == "Does it hurt?"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        [("faq", faq_value(""))],
        [("mechanism", mechanism_value(""))],
    ],
    ids=["faq-without-question", "step-without-title"],
)
def test_missing_required_sub_field_is_a_form_error(admin_client, clinic_sites, body):
    response = create_treatment(admin_client, clinic_sites.toronto.index, body)
    assert response.status_code == 200  # the form again, not a redirect
    assert (
        "The page could not be created due to validation errors"
        in response.content.decode()
    )
    assert response.context["form"].errors["body"]
    assert not TreatmentPage.objects.filter(slug="new-treatment").exists()


@pytest.mark.django_db
def test_publishing_without_summary_or_body_is_a_form_error(admin_client, clinic_sites):
    response = post_new_treatment(
        admin_client,
        clinic_sites.toronto.index,
        [],
        title="No summary",
        slug="no-summary",
        summary="",
    )
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert "summary" in response.context["form"].errors
    assert not TreatmentPage.objects.filter(slug="no-summary").exists()


@pytest.mark.django_db
def test_call_to_action_with_page_and_address_is_a_form_error(
    admin_client, clinic_sites
):
    cta = {
        "heading": "Book",
        "text": "",
        "button_label": "Book",
        "link_page": str(clinic_sites.toronto.index.pk),
        "link_url": "https://example.com/",
    }
    response = create_treatment(
        admin_client, clinic_sites.toronto.index, [("call_to_action", cta)]
    )
    assert response.status_code == 200
    error = response.context["form"].errors["body"].as_data()[0]
    assert "not both" in str(error.as_json_data())
    assert not TreatmentPage.objects.filter(slug="new-treatment").exists()


@pytest.mark.django_db
def test_block_picker_offers_every_block_with_a_preview(admin_client, clinic_sites):
    from treatments.blocks import TreatmentStreamBlock

    stream = TreatmentStreamBlock()
    keys = set(stream.child_blocks)
    assert keys == {
        "mechanism",
        "indications",
        "benefits",
        "risks",
        "faq",
        "rich_text",
        "call_to_action",
        "image",
        "references",
    }
    for key, block in stream.child_blocks.items():
        assert block.meta.template == f"blocks/{key}.html"
        assert block.get_description(), key
        assert block.is_previewable, key
        preview = admin_client.get(
            reverse("wagtailadmin_block_preview"),
            {"id": block.definition_prefix},
            HTTP_HOST="toronto.localhost:8000",
        )
        assert preview.status_code == 200, key
        html = preview.content.decode()
        assert "css/site.css" in html
        assert "#1d4e89" in html  # Toronto's brand colour
        if key != "image":
            assert block.meta.preview_value["heading"] in html, key
