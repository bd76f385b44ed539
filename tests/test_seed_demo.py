"""`seed_demo` builds both demo clinics, and running it again changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from home.models import ClinicSettings
from treatments.models import TreatmentPage


def snapshot():
    return {
        "sites": sorted(
            Site.objects.values_list("hostname", "port", "is_default_site", "root_page")
        ),
        "pages": sorted(
            Page.objects.values_list(
                "id", "path", "slug", "title", "live", "latest_revision_id"
            )
        ),
        "revisions": Revision.objects.count(),
        "settings": sorted(
            ClinicSettings.objects.values_list(
                "site__hostname", "name", "phone", "booking_url", "brand_colour"
            )
        ),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
    }


@pytest.mark.django_db
def test_seed_demo_creates_two_clinics_with_prolotherapy(client):
    call_command("seed_demo", verbosity=0)
    sites = {s.hostname: s for s in Site.objects.all()}
    assert set(sites) == {"toronto.localhost", "kelowna.localhost"}
    assert sites["toronto.localhost"].is_default_site
    assert sites["toronto.localhost"].port == sites["kelowna.localhost"].port == 8000

    pages = TreatmentPage.objects.live().filter(slug="prolotherapy")
    assert pages.count() == 2
    kelowna_page = pages.in_site(sites["kelowna.localhost"]).get()
    kelowna_blocks = [block.block_type for block in kelowna_page.body]
    assert {"mechanism", "indications", "benefits", "risks", "faq"} <= set(
        kelowna_blocks
    )
    toronto_page = pages.in_site(sites["toronto.localhost"]).get()
    toronto_blocks = [block.block_type for block in toronto_page.body]
    assert {"mechanism", "indications", "call_to_action"} <= set(toronto_blocks)

    response = client.get(
        "/treatments/prolotherapy/", HTTP_HOST="kelowna.localhost:8000"
    )
    html = response.content.decode()
    assert response.status_code == 200
    # The seed's cautions survive: limited evidence, soreness.
    assert "success rate has not been shown" in html
    assert "sore" in html
    for question in [
        "Why is prolotherapy used?",
        "How common is prolotherapy?",
        "How should I prepare?",
        "What is the recovery time?",
    ]:
        assert question in html
    toronto_html = client.get(
        "/treatments/prolotherapy/", HTTP_HOST="toronto.localhost:8000"
    ).content.decode()
    for step in ["healing cascade", "collagen", "Regenerating"]:
        assert step in toronto_html
    assert "Kelowna" not in toronto_html

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("changeme")


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first


@pytest.mark.django_db
def test_seed_demo_keeps_editor_changes():
    call_command("seed_demo", verbosity=0)
    settings = ClinicSettings.objects.get(site__hostname="kelowna.localhost")
    settings.phone = "+1 250-555-0999"
    settings.save()
    call_command("seed_demo", verbosity=0)
    settings.refresh_from_db()
    assert settings.phone == "+1 250-555-0999"


@pytest.mark.django_db
def test_demo_treatments_pass_the_check_and_are_reviewed(client):
    from treatments.claims.checker import ERROR
    from treatments.claims.pages import page_findings
    from treatments.reports import due_for_review

    call_command("seed_demo", verbosity=0)
    pages = TreatmentPage.objects.live().filter(slug="prolotherapy")
    assert pages.count() == 2
    for page in pages:
        errors = [f for f in page_findings(page) if f.severity == ERROR]
        assert errors == [], (page.url, errors)
        risks = [b.value for b in page.body if b.block_type == "risks"]
        assert risks and risks[0]["evidence_note"]
        clinician, _ = page.current_review
        assert clinician.name == "Riley Reviewer"
        assert clinician.user.username == "reviewer"  # the reviewer's account
        site = page.get_site()
        host = f"{site.hostname}:{site.port}"
        html = client.get(page.relative_url(site), HTTP_HOST=host).content.decode()
        assert "Medically reviewed by Riley Reviewer" in html
        assert "Next review due" in html
    assert not due_for_review(pages).exists()


def test_the_seeds_original_phrasing_would_not_pass():
    """The clinics' own pages (../shared/seeds/) carry phrases the demo
    rewrites: the check flags each of them as an error or a warning."""
    from treatments.claims.checker import check_text

    from .claims_corpus import SEED_PHRASES

    for sentence, family, provinces in SEED_PHRASES:
        for province in provinces:
            rules = {f.rule for f in check_text(sentence, province)}
            assert f"{province}-{family}" in rules, sentence
    kelowna = "Prolotherapy has no known serious side effects."
    assert "BC-safety" in {f.rule for f in check_text(kelowna, "BC")}
