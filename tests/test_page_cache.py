"""The anonymous page cache (clinics/page_cache.py): hits and misses, who is never
served from it, and invalidation per event and per clinic."""

import re

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import PageViewRestriction

from home.models import ClinicSettings

from .helpers import full_body, get_page, host_of, make_image, make_treatment


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def fetch(client, page, site, **extra):
    return get_page(client, page, site, **extra)


def state(client, page, site):
    return fetch(client, page, site).get("X-Cache")


def warm(client, *pages_and_sites):
    for page, site in pages_and_sites:
        assert state(client, page, site) in ("MISS", "HIT")
        assert state(client, page, site) == "HIT"


def test_second_anonymous_request_is_a_hit(client, treatment_page, clinic_sites):
    site = clinic_sites.toronto.site
    first = fetch(client, treatment_page, site)
    second = fetch(client, treatment_page, site)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert first.status_code == second.status_code == 200
    assert _without_nonce(first.content) == _without_nonce(second.content)
    assert second["Content-Type"].startswith("text/html")


def _without_nonce(content):
    return re.sub(rb'nonce="[^"]*"', b"", content)


def test_a_hit_runs_no_query(
    client, treatment_page, clinic_sites, django_assert_num_queries
):
    site = clinic_sites.toronto.site
    fetch(client, treatment_page, site)
    with django_assert_num_queries(0):
        assert state(client, treatment_page, site) == "HIT"


def test_logged_in_users_bypass_the_cache(client, treatment_page, clinic_sites):
    site = clinic_sites.toronto.site
    warm(client, (treatment_page, site))
    user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(user)
    response = fetch(client, treatment_page, site)
    assert response["X-Cache"] == "BYPASS"
    # An editor's view is never stored for anonymous visitors either.
    client.logout()
    client.cookies.clear()
    assert state(client, treatment_page, site) == "HIT"


def test_a_session_cookie_alone_means_bypass(client, treatment_page, clinic_sites):
    site = clinic_sites.toronto.site
    warm(client, (treatment_page, site))
    client.cookies["sessionid"] = "anything"
    assert state(client, treatment_page, site) == "BYPASS"


def test_query_strings_are_not_cached(client, treatment_page, clinic_sites):
    site = clinic_sites.toronto.site
    host = host_of(site)
    path = treatment_page.relative_url(site) + "?utm_source=x"
    for _ in range(2):
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200
        assert response.get("X-Cache") != "HIT"


@pytest.mark.parametrize("restriction_type", ["password", "login"])
def test_private_pages_are_never_cached(
    client, treatment_page, clinic_sites, restriction_type
):
    site = clinic_sites.toronto.site
    PageViewRestriction.objects.create(
        page=treatment_page, restriction_type=restriction_type, password="secret"
    )
    for _ in range(2):
        response = fetch(client, treatment_page, site)
        assert response.get("X-Cache") != "HIT"
        assert b"Mechanism heading" not in response.content


def test_host_that_is_not_the_sites_own_is_not_stored(client, clinic_sites):
    # An unknown host falls back to the default site; its keys could never be
    # invalidated, so nothing is stored for it.
    for _ in range(2):
        response = client.get("/", HTTP_HOST="other.localhost:8000")
        assert response.status_code == 200
        assert response["X-Cache"] == "BYPASS"


def test_non_page_views_are_untouched(client, clinic_sites):
    host = host_of(clinic_sites.toronto.site)
    for _ in range(2):
        response = client.get("/search/", HTTP_HOST=host)
        assert "X-Cache" not in response


def test_publish_invalidates_the_page_and_its_listings(
    client, treatment_page, kelowna_treatment, clinic_sites
):
    toronto, kelowna = clinic_sites.toronto, clinic_sites.kelowna
    other = make_treatment(toronto.index, title="Acupuncture")
    pages = [
        (treatment_page, toronto.site),
        (toronto.index, toronto.site),
        (toronto.home, toronto.site),
        (other, toronto.site),
        (kelowna_treatment, kelowna.site),
        (kelowna.index, kelowna.site),
    ]
    warm(client, *pages)

    treatment_page.title = "Prolotherapy renamed"
    treatment_page.save_revision().publish()

    assert state(client, treatment_page, toronto.site) == "MISS"
    assert b"Prolotherapy renamed" in fetch(client, toronto.index, toronto.site).content
    assert b"Prolotherapy renamed" in fetch(client, toronto.home, toronto.site).content
    # Pages that do not show it stay cached.
    assert state(client, other, toronto.site) == "HIT"
    assert state(client, kelowna_treatment, kelowna.site) == "HIT"
    assert state(client, kelowna.index, kelowna.site) == "HIT"


def test_publish_invalidates_pages_that_link_to_it(client, clinic_sites):
    toronto = clinic_sites.toronto
    target = make_treatment(toronto.index, title="Target")
    linking = make_treatment(
        toronto.index, title="Linking", body=full_body(link_page=target)
    )
    unrelated = make_treatment(toronto.index, title="Unrelated")
    warm(client, (linking, toronto.site), (unrelated, toronto.site))

    target.slug = "target-moved"
    target.save_revision().publish()

    response = fetch(client, linking, toronto.site)
    assert response["X-Cache"] == "MISS"
    assert b"/treatments/target-moved/" in response.content
    assert state(client, unrelated, toronto.site) == "HIT"


def test_slug_change_purges_the_old_url(
    client, treatment_page, clinic_sites, django_capture_on_commit_callbacks
):
    site = clinic_sites.toronto.site
    old_url = treatment_page.relative_url(site)
    warm(client, (treatment_page, site))
    # Wagtail reports a slug change when the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        treatment_page.slug = "new-slug"
        treatment_page.save_revision().publish()
    # Wagtail's automatic redirect (or a 404), never the stored old page.
    response = client.get(old_url, HTTP_HOST=host_of(site))
    assert response.status_code in (301, 404)


def test_unpublish_invalidates(client, treatment_page, clinic_sites):
    toronto = clinic_sites.toronto
    warm(client, (treatment_page, toronto.site), (toronto.index, toronto.site))
    treatment_page.unpublish()
    assert fetch(client, treatment_page, toronto.site).status_code == 404
    assert b"Prolotherapy" not in fetch(client, toronto.index, toronto.site).content


def test_delete_invalidates(client, treatment_page, clinic_sites):
    toronto = clinic_sites.toronto
    url = treatment_page.relative_url(toronto.site)
    warm(client, (treatment_page, toronto.site), (toronto.index, toronto.site))
    treatment_page.delete()
    assert client.get(url, HTTP_HOST=host_of(toronto.site)).status_code == 404
    assert b"Prolotherapy" not in fetch(client, toronto.index, toronto.site).content


def test_move_invalidates_old_and_new_places(client, treatment_page, clinic_sites):
    toronto, kelowna = clinic_sites.toronto, clinic_sites.kelowna
    old_url = treatment_page.relative_url(toronto.site)
    warm(client, (treatment_page, toronto.site), (toronto.index, toronto.site))
    warm(client, (kelowna.index, kelowna.site))

    treatment_page.move(kelowna.index, pos="last-child")
    treatment_page.refresh_from_db()

    assert client.get(old_url, HTTP_HOST=host_of(toronto.site)).status_code == 404
    assert b"Prolotherapy" not in fetch(client, toronto.index, toronto.site).content
    assert b"Prolotherapy" in fetch(client, kelowna.index, kelowna.site).content
    assert fetch(client, treatment_page, kelowna.site).status_code == 200


def test_settings_change_invalidates_that_clinic_only(
    client, treatment_page, kelowna_treatment, clinic_sites
):
    toronto, kelowna = clinic_sites.toronto, clinic_sites.kelowna
    warm(
        client,
        (treatment_page, toronto.site),
        (toronto.home, toronto.site),
        (kelowna_treatment, kelowna.site),
        (kelowna.home, kelowna.site),
    )
    settings = ClinicSettings.for_site(toronto.site)
    settings.phone = "+1 416-555-0000"
    settings.save()

    response = fetch(client, treatment_page, toronto.site)
    assert response["X-Cache"] == "MISS"
    assert b"416-555-0000" in response.content
    assert state(client, toronto.home, toronto.site) == "MISS"
    assert state(client, kelowna_treatment, kelowna.site) == "HIT"
    assert state(client, kelowna.home, kelowna.site) == "HIT"


def test_responses_that_set_cookies_are_not_stored(
    client, treatment_page, clinic_sites, monkeypatch
):
    from wagtail import hooks

    def set_cookie(page, request, serve_args, serve_kwargs):
        response = page.serve(request, *serve_args, **serve_kwargs)
        response.set_cookie("tracking", "1")
        return response

    with hooks.register_temporarily("before_serve_page", set_cookie):
        for _ in range(2):
            response = fetch(client, treatment_page, clinic_sites.toronto.site)
            assert response["X-Cache"] == "BYPASS"


def test_each_hit_gets_its_own_csp_nonce(client, treatment_page, clinic_sites):
    site = clinic_sites.toronto.site
    responses = [fetch(client, treatment_page, site) for _ in range(3)]
    if "Content-Security-Policy" not in responses[0]:
        pytest.skip("django-csp is not installed")
    assert [r["X-Cache"] for r in responses] == ["MISS", "HIT", "HIT"]
    nonces = set()
    for response in responses:
        match = re.search(rb'<style nonce="([^"]+)"', response.content)
        assert match, "the brand style carries a nonce"
        nonce = match.group(1).decode()
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.add(nonce)
    assert len(nonces) == 3


def test_can_be_turned_off(client, treatment_page, clinic_sites, settings):
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        response = fetch(client, treatment_page, clinic_sites.toronto.site)
        assert "X-Cache" not in response


# The boundary in the cache


RESTRICTIONS = {
    "login": {"restriction_type": "login"},
    "password": {"restriction_type": "password", "password": "secret"},
    "groups": {"restriction_type": "groups"},
}


@pytest.mark.parametrize("kind", list(RESTRICTIONS))
def test_adding_a_restriction_removes_the_page_from_the_cache_at_once(
    client, treatment_page, clinic_sites, kind
):
    toronto = clinic_sites.toronto
    warm(client, (treatment_page, toronto.site), (toronto.index, toronto.site))
    PageViewRestriction.objects.create(page=treatment_page, **RESTRICTIONS[kind])
    response = fetch(client, treatment_page, toronto.site)
    assert response.get("X-Cache") != "HIT"
    assert b"Mechanism heading" not in response.content
    # The listing no longer shows it to visitors either.
    assert (
        b"Summary of Prolotherapy"
        not in fetch(client, toronto.index, toronto.site).content
    )


def test_a_restriction_above_the_page_removes_it_too(
    client, treatment_page, clinic_sites
):
    toronto = clinic_sites.toronto
    warm(client, (treatment_page, toronto.site))
    PageViewRestriction.objects.create(page=toronto.index, restriction_type="login")
    response = fetch(client, treatment_page, toronto.site)
    assert response.status_code == 302  # to the login page, never the cached page


def test_changing_or_removing_a_restriction_takes_effect_at_once(
    client, treatment_page, clinic_sites
):
    site = clinic_sites.toronto.site
    restriction = PageViewRestriction.objects.create(
        page=treatment_page, restriction_type="password", password="secret"
    )
    restriction.delete()
    warm(client, (treatment_page, site))
    restriction = PageViewRestriction.objects.create(
        page=treatment_page, restriction_type="password", password="secret"
    )
    assert b"Mechanism heading" not in fetch(client, treatment_page, site).content
    restriction.restriction_type = "login"
    restriction.save()
    assert fetch(client, treatment_page, site).status_code == 302
    restriction.delete()
    response = fetch(client, treatment_page, site)
    assert response.status_code == 200 and b"Mechanism heading" in response.content


@pytest.mark.parametrize(
    "host",
    ["TORONTO.localhost:8000", "toronto.localhost:8001", "Toronto.Localhost:8000"],
)
def test_a_page_for_another_spelling_of_the_host_is_never_stored(
    client, treatment_page, clinic_sites, host
):
    image = make_image(collection=clinic_sites.toronto.collection)
    treatment_page.hero_image = image
    treatment_page.save_revision().publish()
    path = treatment_page.relative_url(clinic_sites.toronto.site)
    for _ in range(2):
        odd = client.get(path, HTTP_HOST=host)
        assert odd.status_code == 200
        assert odd["X-Cache"] == "BYPASS"
    canonical = get_page(client, treatment_page, clinic_sites.toronto.site)
    assert canonical["X-Cache"] == "MISS"
    # Absolute URLs in the page are the clinic's own, whatever the Host said.
    og_image = re.search(rb'<meta property="og:image" content="([^"]+)"', odd.content)
    assert og_image.group(1).startswith(b"http://toronto.localhost:8000/")
    assert host.encode() not in odd.content
    assert host.encode() not in canonical.content


def test_one_subscriber_tells_both_caches(client, treatment_page, clinic_sites):
    """A publish reaches the page cache and the search results cache through
    the one content_changed signal."""
    from clinics.content_changes import content_changed
    from search import results_cache

    received = []

    def listen(sender, change, **kwargs):
        received.append(change)

    content_changed.connect(listen)
    site = clinic_sites.toronto.site
    warm(client, (treatment_page, site))
    results_cache.put(site, "prolotherapy", 1, [treatment_page.pk])
    treatment_page.title = "Prolotherapy, renamed"
    treatment_page.save_revision().publish()
    assert received and treatment_page.url_path in received[0].url_paths
    assert state(client, treatment_page, site) == "MISS"
    assert results_cache.get(site, "prolotherapy", 1) is None
    content_changed.disconnect(listen)


def test_only_routes_to_pages_look_in_the_cache(
    client, treatment_page, clinic_sites, monkeypatch
):
    """Every URL pattern but Wagtail's serve view answers without a lookup
    in the shared cache (only served pages are ever stored there), found
    from the URL resolver, so a route added later is covered too."""
    from django.urls import get_resolver

    from clinics import page_cache

    site = clinic_sites.toronto.site
    looked_up = []
    real_cache = page_cache.cache()

    class Counting:
        def __getattr__(self, name):
            return getattr(real_cache, name)

        def get(self, key, *args, **kwargs):
            looked_up.append(key)
            return real_cache.get(key, *args, **kwargs)

    monkeypatch.setattr(page_cache, "cache", Counting)

    def routes(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from routes(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    checked = 0
    for regex in routes(get_resolver()):
        # A plain path for each route without parameters; the rest are
        # exercised through their prefix below.
        if "<" in regex or "(" in regex or "\\" in regex:
            continue
        path = "/" + regex.lstrip("^").rstrip("$")
        looked_up.clear()
        client.get(path, HTTP_HOST=host_of(site))
        assert looked_up == [], f"{path} looked in the page cache"
        checked += 1
    assert checked > 20
    for path in (f"/api/v2/pages/{treatment_page.pk}/", "/api/v3/pages/"):
        looked_up.clear()
        client.get(path, HTTP_HOST=host_of(site))
        assert looked_up == [], f"{path} looked in the page cache"
    looked_up.clear()
    get_page(client, treatment_page, site)
    assert len(looked_up) == 1
