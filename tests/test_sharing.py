"""The operator shares a treatment with another clinic, as alias or copy."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from treatments.models import TreatmentPage

from .helpers import get_page

pytestmark = pytest.mark.django_db


def kelowna_copy(clinic_sites):
    return TreatmentPage.objects.child_of(clinic_sites.kelowna.index).get(
        slug="prolotherapy"
    )


def test_alias_renders_with_the_receiving_clinics_identity(
    treatment_page, clinic_sites, client
):
    call_command(
        "share_treatment",
        "prolotherapy",
        "--from=toronto.localhost:8000",
        "--to=kelowna.localhost:8000",
    )
    alias = kelowna_copy(clinic_sites)
    assert alias.alias_of_id == treatment_page.pk
    html = get_page(client, alias, clinic_sites.kelowna.site).content.decode()
    assert "Mechanism heading" in html
    assert "Kelowna Test Clinic" in html
    assert "https://booking.example.com/kelowna" in html
    assert "https://booking.example.com/toronto" not in html


def test_alias_follows_the_original(treatment_page, clinic_sites, client):
    call_command(
        "share_treatment",
        "prolotherapy",
        "--from=toronto.localhost:8000",
        "--to=kelowna.localhost:8000",
    )
    treatment_page.summary = "Updated by Toronto"
    treatment_page.save_revision().publish()
    alias = kelowna_copy(clinic_sites)
    html = get_page(client, alias, clinic_sites.kelowna.site).content.decode()
    assert "Updated by Toronto" in html


def test_copy_is_independent(treatment_page, clinic_sites, client):
    call_command(
        "share_treatment",
        "prolotherapy",
        "--from=toronto.localhost:8000",
        "--to=kelowna.localhost:8000",
        "--copy",
    )
    copy = kelowna_copy(clinic_sites)
    assert copy.alias_of_id is None
    assert copy.live
    treatment_page.summary = "Updated by Toronto"
    treatment_page.save_revision().publish()
    html = get_page(client, copy, clinic_sites.kelowna.site).content.decode()
    assert "Updated by Toronto" not in html
    assert "Kelowna Test Clinic" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing", "--from=toronto.localhost:8000"], "has no treatment page"),
        (["prolotherapy", "--from=nowhere.localhost:8000"], "No clinic at"),
        (["prolotherapy", "--from=kelowna.localhost:8000"], "has no treatment page"),
    ],
)
def test_bad_share_is_a_clear_error(treatment_page, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("share_treatment", *args, "--to=kelowna.localhost:8000")


def test_sharing_twice_is_a_clear_error(treatment_page):
    args = [
        "prolotherapy",
        "--from=toronto.localhost:8000",
        "--to=kelowna.localhost:8000",
    ]
    call_command("share_treatment", *args)
    with pytest.raises(CommandError, match="already has a page at 'prolotherapy'"):
        call_command("share_treatment", *args, "--copy")


def test_a_copy_made_in_the_admin_waits_for_its_own_review(
    admin_client, treatment_page, clinic_sites
):
    """Wagtail's copy view makes an independent copy in the other clinic, not
    live: it goes through that clinic's medical review. An alias (which is
    live at once) is made with share_treatment, as nobody publishes
    treatment pages directly."""
    response = admin_client.post(
        reverse("wagtailadmin_pages:copy", args=[treatment_page.pk]),
        {
            "new_title": treatment_page.title,
            "new_slug": treatment_page.slug,
            "new_parent_page": clinic_sites.kelowna.index.pk,
            "alias": "on",
            "publish_copies": "on",
        },
    )
    assert response.status_code == 200  # refused: it would go live unreviewed
    assert not TreatmentPage.objects.child_of(clinic_sites.kelowna.index).exists()
    response = admin_client.post(
        reverse("wagtailadmin_pages:copy", args=[treatment_page.pk]),
        {
            "new_title": treatment_page.title,
            "new_slug": treatment_page.slug,
            "new_parent_page": clinic_sites.kelowna.index.pk,
        },
    )
    assert response.status_code == 302
    copy = kelowna_copy(clinic_sites)
    assert copy.alias_of_id is None and not copy.live


def test_editor_cannot_share_into_another_clinic(
    client, editors, treatment_page, clinic_sites
):
    client.force_login(editors.toronto)
    client.post(
        reverse("wagtailadmin_pages:copy", args=[treatment_page.pk]),
        {
            "new_title": treatment_page.title,
            "new_slug": treatment_page.slug,
            "new_parent_page": clinic_sites.kelowna.index.pk,
        },
    )
    assert not TreatmentPage.objects.child_of(clinic_sites.kelowna.index).exists()
