"""HTTP revalidation (clinics/revalidation.py): every page and every pages-API
answer carries validators known before rendering, a matching condition is a
304 that renders and serialises nothing, and what changes content changes
them, in its own clinic only."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from wagtail.models import Page, PageViewRestriction, Site

from clinics import revalidation

from .api.support import openapi_document, token_for
from .helpers import full_body, get_page, host_of, make_image, make_treatment

WEAK_ETAG = re.compile(r'^W/"[0-9a-f]{32}"$')


def page_link(page):
    return f'<a linktype="page" id="{page.pk}">{page.title}</a>'


def cache_control(response):
    return {
        part.strip().split("=")[0]: part.strip()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }


def revalidate(client, page, site, response, **extra):
    return get_page(client, page, site, HTTP_IF_NONE_MATCH=response["ETag"], **extra)


@pytest.fixture
def demo(db):
    """Both demo clinics, with every page type."""
    call_command("seed_demo", "--port", "8123", verbosity=0)


def every_page():
    for site in Site.objects.all():
        for page in Page.objects.live().descendant_of(site.root_page, inclusive=True):
            yield page.specific, site


@pytest.mark.parametrize("page_cache_seconds", [0, 300])
def test_every_page_either_revalidates_without_rendering_or_is_private(
    client, demo, settings, page_cache_seconds
):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    public = 0
    for page, site in every_page():
        first = get_page(client, page, site)
        assert first.status_code == 200, page.url_path
        controls = cache_control(first)
        if "private" in controls:
            # A page with a form sets the CSRF cookie: never shared.
            assert "ETag" not in first, page.url_path
            continue
        public += 1
        assert {"public", "max-age", "must-revalidate"} <= controls.keys()
        assert controls["max-age"] == "max-age=0"
        assert WEAK_ETAG.match(first["ETag"]), (page.url_path, first["ETag"])
        again = revalidate(client, page, site, first)
        assert again.status_code == 304, page.url_path
        assert again.content == b""
        assert again.templates == [], page.url_path  # nothing rendered
        assert again["ETag"] == first["ETag"]
        assert "public" in cache_control(again)
    assert public >= 8


def test_a_304_runs_no_more_than_routing(
    client, treatment_page, clinic_sites, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    site = clinic_sites.toronto.site
    with CaptureQueriesContext(connection) as full:
        first = get_page(client, treatment_page, site)
    with CaptureQueriesContext(connection) as unchanged:
        assert revalidate(client, treatment_page, site, first).status_code == 304
    # The Site and the route to the page; nothing rendered, no renditions.
    assert len(unchanged) <= 4 < len(full)
    assert not any("rendition" in q["sql"] for q in unchanged.captured_queries)


def test_publishing_changes_the_validators_of_what_shows_it_in_its_clinic_only(
    client, clinic_sites, kelowna_treatment, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    toronto, kelowna = clinic_sites.toronto, clinic_sites.kelowna
    target = make_treatment(toronto.index, title="Acupuncture")
    linking = make_treatment(
        toronto.index,
        title="Hub",
        body=full_body(link_page=toronto.index)
        + [
            {
                "type": "rich_text",
                "value": {"heading": "", "body": f"<p>See {page_link(target)}</p>"},
            }
        ],
    )
    unrelated = make_treatment(toronto.index, title="Massage")
    pages = {
        "target": (target, toronto.site),
        "linking": (linking, toronto.site),
        "listing": (toronto.index, toronto.site),
        "unrelated": (unrelated, toronto.site),
        "other clinic": (kelowna_treatment, kelowna.site),
        "other clinic's listing": (kelowna.index, kelowna.site),
    }
    before = {name: get_page(client, *where) for name, where in pages.items()}

    target.title = "Acupuncture, renamed"
    target.save_revision().publish()

    for name in ("target", "linking", "listing"):
        again = revalidate(client, *pages[name], before[name])
        assert again.status_code == 200, name
        assert again["ETag"] != before[name]["ETag"], name
    for name in ("unrelated", "other clinic", "other clinic's listing"):
        assert revalidate(client, *pages[name], before[name]).status_code == 304, name


def test_a_clinics_settings_change_every_page_of_that_clinic(
    client, treatment_page, kelowna_treatment, clinic_sites
):
    toronto, kelowna = clinic_sites.toronto, clinic_sites.kelowna
    mine = get_page(client, treatment_page, toronto.site)
    theirs = get_page(client, kelowna_treatment, kelowna.site)
    toronto.settings.phone = "+1 416 555 0199"
    toronto.settings.save()
    assert revalidate(client, treatment_page, toronto.site, mine).status_code == 200
    assert (
        revalidate(client, kelowna_treatment, kelowna.site, theirs).status_code == 304
    )


def test_an_image_edit_changes_the_pages_showing_it(client, clinic_sites, settings):
    settings.PAGE_CACHE_SECONDS = 300
    toronto = clinic_sites.toronto
    image = make_image(title="Needle")
    page = make_treatment(
        toronto.index, title="With image", body=full_body(image=image)
    )
    first = get_page(client, page, toronto.site)
    image.title = "Needle, retitled"
    image.save()
    again = revalidate(client, page, toronto.site, first)
    assert again.status_code == 200
    assert again["X-Cache"] == "MISS"


def test_if_modified_since(client, treatment_page, clinic_sites, monkeypatch, settings):
    # (A page stored in the page cache within the second of a change keeps
    # its ETag only, until it is stored again.)
    settings.PAGE_CACHE_SECONDS = 0
    site = clinic_sites.toronto.site
    now = [1_900_000_000.5]
    monkeypatch.setattr(revalidation.time, "time", lambda: now[0])
    treatment_page.save_revision().publish()  # generation stamped 1_900_000_001

    # Within the second of the change, another change could share the
    # stamp: no Last-Modified yet.
    assert "Last-Modified" not in get_page(client, treatment_page, site)
    now[0] = 1_900_000_002.0
    response = get_page(client, treatment_page, site)
    assert response["Last-Modified"] == http_date(1_900_000_001)
    unchanged = get_page(
        client, treatment_page, site, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
    )
    assert unchanged.status_code == 304
    older = get_page(
        client, treatment_page, site, HTTP_IF_MODIFIED_SINCE=http_date(1_900_000_000)
    )
    assert older.status_code == 200


def test_a_page_cache_hit_answers_304_from_the_stored_page(
    client, treatment_page, clinic_sites, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 300
    site = clinic_sites.toronto.site
    first = get_page(client, treatment_page, site)
    assert first["X-Cache"] == "MISS"
    with django_assert_num_queries(0):
        again = revalidate(client, treatment_page, site, first)
    assert (again.status_code, again["X-Cache"]) == (304, "HIT")
    assert again["ETag"] == first["ETag"]


def test_logged_in_answers_are_private_and_never_304(
    client, treatment_page, clinic_sites
):
    site = clinic_sites.toronto.site
    public = get_page(client, treatment_page, site)
    user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(user)
    response = revalidate(client, treatment_page, site, public)
    assert response.status_code == 200
    assert {"private", "no-cache"} <= cache_control(response).keys()
    assert "ETag" not in response


@pytest.mark.parametrize(
    "restriction_type", [PageViewRestriction.PASSWORD, PageViewRestriction.LOGIN]
)
def test_members_only_pages_are_private(
    client, treatment_page, clinic_sites, restriction_type
):
    site = clinic_sites.toronto.site
    public = get_page(client, treatment_page, site)
    PageViewRestriction.objects.create(
        page=treatment_page, restriction_type=restriction_type, password="secret"
    )
    response = revalidate(client, treatment_page, site, public)
    assert response.status_code in (200, 302)
    assert "private" in cache_control(response)
    assert "ETag" not in response


def test_a_new_release_never_answers_304_to_an_old_copy(
    client, treatment_page, clinic_sites, settings
):
    site = clinic_sites.toronto.site
    first = get_page(client, treatment_page, site)
    revalidation.release.cache_clear()
    settings.RELEASE_ID = "next-release"
    try:
        assert revalidate(client, treatment_page, site, first).status_code == 200
    finally:
        revalidation.release.cache_clear()


def test_a_cdn_may_keep_pages_only_where_publishing_purges_it(
    client, treatment_page, clinic_sites, settings
):
    site = clinic_sites.toronto.site
    settings.PAGE_CACHE_SECONDS = 0
    assert "s-maxage" not in cache_control(get_page(client, treatment_page, site))
    settings.WAGTAILFRONTENDCACHE = {
        "proxy": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
    settings.PAGE_CACHE_SECONDS = 600
    controls = cache_control(get_page(client, treatment_page, site))
    assert controls["s-maxage"] == "s-maxage=600"


# The API


def pages_api_urls(page):
    """Every anonymous GET of the pages endpoints, from the v2 router and the
    published v3 OpenAPI document, for ``page``."""
    urls = [
        "/api/v2/pages/",
        "/api/v2/pages/?type=treatments.TreatmentPage&fields=*",
        f"/api/v2/pages/{page.pk}/",
    ]
    for path, operations in openapi_document()["paths"].items():
        if not path.startswith("/api/v3/pages/") or "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(name not in ("id", "page_id", "pk") for name in names):
            continue
        urls.append(re.sub(r"{\w+}", str(page.pk), path))
    return urls


def test_every_pages_api_read_revalidates_before_serialising(
    client, treatment_page, clinic_sites
):
    host = host_of(clinic_sites.toronto.site)
    urls = pages_api_urls(treatment_page)
    assert any(url.startswith("/api/v3/") for url in urls)
    revalidated = 0
    for url in urls:
        first = client.get(url, HTTP_HOST=host)
        if first.status_code != 200:
            # A token-only read (401): nothing to revalidate.
            assert "ETag" not in first, url
            continue
        assert WEAK_ETAG.match(first["ETag"]), url
        assert "public" in cache_control(first), url
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url, HTTP_HOST=host, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url
        # The clinic's Site and (v3) whether the id is in it: nothing of the
        # page read or serialised.
        assert len(queries) <= 2, (url, [q["sql"] for q in queries.captured_queries])
        revalidated += 1
    assert revalidated >= 4


def test_publishing_changes_the_api_validators_of_its_clinic_only(
    client, treatment_page, kelowna_treatment, clinic_sites
):
    toronto = host_of(clinic_sites.toronto.site)
    kelowna = host_of(clinic_sites.kelowna.site)
    listing = "/api/v2/pages/?type=treatments.TreatmentPage&fields=*"
    mine = client.get(listing, HTTP_HOST=toronto)
    theirs = client.get(listing, HTTP_HOST=kelowna)
    # The same path with ?site= is another answer with its own validator.
    chosen = client.get(f"{listing}&site={kelowna}", HTTP_HOST=toronto)
    assert chosen["ETag"] != theirs["ETag"] != mine["ETag"]

    treatment_page.title = "Prolotherapy, renamed"
    treatment_page.save_revision().publish()

    again = client.get(listing, HTTP_HOST=toronto, HTTP_IF_NONE_MATCH=mine["ETag"])
    assert again.status_code == 200
    assert "Prolotherapy, renamed" in again.content.decode()
    unchanged = client.get(
        listing, HTTP_HOST=kelowna, HTTP_IF_NONE_MATCH=theirs["ETag"]
    )
    assert unchanged.status_code == 304


def test_token_answers_stay_private_with_an_etag_of_their_content(
    client, treatment_page, clinic_sites, editors
):
    host = host_of(clinic_sites.toronto.site)
    auth = f"Bearer {token_for(editors.toronto)}"
    url = f"/api/v3/pages/{treatment_page.pk}/"
    public = client.get(url, HTTP_HOST=host)
    first = client.get(url, HTTP_HOST=host, HTTP_AUTHORIZATION=auth)
    assert first.status_code == 200
    assert {"private", "no-cache"} <= cache_control(first).keys()
    # The public validator is not the token's: a draft may differ.
    assert first["ETag"] != public["ETag"]
    again = client.get(
        url, HTTP_HOST=host, HTTP_AUTHORIZATION=auth, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304


def test_a_search_keeps_an_etag_of_its_content(client, treatment_page, clinic_sites):
    host = host_of(clinic_sites.toronto.site)
    url = "/api/v2/pages/?search=prolotherapy"
    first = client.get(url, HTTP_HOST=host)
    assert first.status_code == 200
    assert treatment_page.title in first.content.decode()
    # A hash of the content (strong), not the clinic's generation (weak).
    assert not first["ETag"].startswith("W/")
    again = client.get(url, HTTP_HOST=host, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
