"""A treatment page's body and JSON-LD are rendered once per version of what
the page shows (clinics.revalidation.fragment_key), for anonymous visitors
only: a publish, a change of a page it links to or of the clinic's settings
shows at once, and nobody signed in is ever given or gives a cached part."""

import re

import pytest

from home.models import ClinicSettings
from treatments.blocks import TreatmentStreamBlock

from .helpers import full_body, get_page, make_treatment


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Every answer below is rendered; only the fragments may be reused.
    settings.PAGE_CACHE_SECONDS = 0


def body_of(response):
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]*"', "", html)
    start = html.index('<div class="container treatment-body">')
    return html[start:]


def renders(monkeypatch):
    """Count the body renders of every request."""
    from treatments.templatetags import treatment_tags

    calls = []
    real = treatment_tags.cached_fragment

    def counting(request, page, name, render):
        def counted():
            calls.append(name)
            return render()

        return real(request, page, name, counted)

    monkeypatch.setattr(treatment_tags, "cached_fragment", counting)
    return calls


def test_an_anonymous_page_renders_its_body_once(
    client, clinic_sites, treatment_page, monkeypatch
):
    site = clinic_sites.toronto.site
    calls = renders(monkeypatch)
    first = body_of(get_page(client, treatment_page, site))
    assert sorted(calls) == ["body", "json-ld"]
    second = body_of(get_page(client, treatment_page, site, QUERY_STRING="a=1"))
    assert sorted(calls) == ["body", "json-ld"]  # not rendered again
    assert first == second
    assert "Mechanism heading" in first


def test_a_publish_shows_at_once(client, clinic_sites, treatment_page):
    site = clinic_sites.toronto.site
    assert "Mechanism heading" in body_of(get_page(client, treatment_page, site))
    body = full_body()
    body[0]["value"]["heading"] = "A new heading"
    treatment_page.body = TreatmentStreamBlock().to_python(body)
    treatment_page.save_revision().publish()
    html = body_of(get_page(client, treatment_page, site))
    assert "A new heading" in html
    assert "Mechanism heading" not in html


def test_a_linked_page_moving_shows_at_once(client, clinic_sites):
    toronto = clinic_sites.toronto
    target = make_treatment(toronto.index, title="Target", slug="target")
    linking = make_treatment(
        toronto.index,
        title="Linking",
        slug="linking",
        body=full_body(link_page=target),
    )
    assert "/target/" in body_of(get_page(client, linking, toronto.site))
    target.slug = "target-renamed"
    target.save_revision().publish()
    html = body_of(get_page(client, linking, toronto.site))
    assert "/target-renamed/" in html
    assert "/target/" not in html


def test_clinic_settings_show_at_once(client, clinic_sites, treatment_page):
    site = clinic_sites.toronto.site
    get_page(client, treatment_page, site)
    settings = ClinicSettings.for_site(site)
    settings.booking_url = "https://booking.example.com/new-address"
    settings.save()
    response = get_page(client, treatment_page, site)
    assert "https://booking.example.com/new-address" in response.content.decode()


def test_signed_in_viewers_neither_get_nor_give_cached_parts(
    client, clinic_sites, treatment_page, monkeypatch
):
    from django.contrib.auth import get_user_model

    site = clinic_sites.toronto.site
    calls = renders(monkeypatch)
    user = get_user_model().objects.create_superuser("boss", "b@example.com", "pw")
    client.force_login(user)
    get_page(client, treatment_page, site)
    get_page(client, treatment_page, site)
    assert calls.count("body") == 2
    client.logout()
    get_page(client, treatment_page, site)
    assert calls.count("body") == 3  # what the signed-in renders made was not kept
