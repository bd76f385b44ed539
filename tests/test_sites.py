"""Two clinics in one installation: each host shows only its own clinic."""

import pytest

from home.models import ClinicSettings

from .helpers import get_page, host_of

PAGES = ["home", "index", "treatment"]


@pytest.fixture
def clinic_pages(clinic_sites, treatment_page, kelowna_treatment):
    return {
        "toronto": (
            clinic_sites.toronto,
            {
                "home": clinic_sites.toronto.home,
                "index": clinic_sites.toronto.index,
                "treatment": treatment_page,
            },
        ),
        "kelowna": (
            clinic_sites.kelowna,
            {
                "home": clinic_sites.kelowna.home,
                "index": clinic_sites.kelowna.index,
                "treatment": kelowna_treatment,
            },
        ),
    }


@pytest.mark.parametrize("clinic", ["toronto", "kelowna"])
@pytest.mark.parametrize("kind", PAGES)
def test_each_site_answers_its_own_pages_and_never_names_the_other(
    client, clinic_pages, clinic, kind
):
    other = "kelowna" if clinic == "toronto" else "toronto"
    own_clinic, pages = clinic_pages[clinic]
    other_clinic, _ = clinic_pages[other]
    response = get_page(client, pages[kind], own_clinic.site)
    assert response.status_code == 200
    html = response.content.decode()
    own, theirs = own_clinic.settings, other_clinic.settings
    for value in [own.name, own.phone, own.booking_url, own.brand_colour]:
        assert value in html
    for value in [theirs.name, theirs.phone, theirs.booking_url, theirs.brand_colour]:
        assert value not in html


def test_other_clinics_treatment_is_not_served_on_this_host(
    client, clinic_sites, kelowna_treatment
):
    # Kelowna's page path does not exist under Toronto's tree.
    response = client.get(
        kelowna_treatment.relative_url(clinic_sites.kelowna.site),
        HTTP_HOST=host_of(clinic_sites.toronto.site),
    )
    assert response.status_code == 404


def test_settings_change_shows_only_on_that_clinic(
    client, clinic_sites, treatment_page
):
    toronto = ClinicSettings.for_site(clinic_sites.toronto.site)
    toronto.phone = "+1 416-555-0123"
    toronto.opening_hours = "Sunday: closed for renovations"
    toronto.save()
    toronto_html = get_page(client, treatment_page, clinic_sites.toronto.site).content
    kelowna_html = get_page(
        client, clinic_sites.kelowna.home, clinic_sites.kelowna.site
    ).content
    assert b"+1 416-555-0123" in toronto_html
    assert b"closed for renovations" in toronto_html
    assert b"+1 416-555-0123" not in kelowna_html
    assert b"closed for renovations" not in kelowna_html


def test_unknown_host_falls_back_to_the_default_clinic(client, clinic_sites):
    response = client.get("/", HTTP_HOST="unknown.localhost:8000")
    assert response.status_code == 200
    assert b"Toronto Test Clinic" in response.content


@pytest.mark.parametrize(
    "colour, ok",
    [("#1d4e89", True), ("#2f6b3a", True), ("#ffff00", False), ("blue", False)],
)
def test_brand_colour_must_be_hex_and_readable_with_white_text(
    clinic_sites, colour, ok
):
    from django.core.exceptions import ValidationError

    clinic_settings = clinic_sites.toronto.settings
    clinic_settings.brand_colour = colour
    if ok:
        clinic_settings.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            clinic_settings.full_clean()
        assert "brand_colour" in error.value.message_dict
