"""What the clinic boundary keeps in the shared cache (clinics/boundary.py):
which clinic a request is for, from the cached Sites (the same choice as
Wagtail's query, without a query per request), and which pages are
restricted; neither is ever stale after a change."""

import itertools

import pytest
from django.db import connection
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname

from clinics.boundary import site_for_host

from .helpers import get_page, host_of

HOSTNAMES = ["a.example", "b.example", "c.example"]
PORTS = [80, 443, 8000]


def wagtail_choice(hostname, port):
    try:
        return get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None


# Site layouts: (hostname, port, is default) triples.
LAYOUTS = [
    [("a.example", 80, True)],
    [("a.example", 80, False)],
    [("a.example", 80, False), ("a.example", 8000, False)],
    [("a.example", 80, True), ("a.example", 8000, False), ("b.example", 80, False)],
    [("a.example", 8000, False), ("b.example", 80, True)],
    [("a.example", 80, False), ("a.example", 443, False), ("b.example", 80, True)],
    [("a.example", 443, True), ("b.example", 80, False), ("b.example", 8000, False)],
]


@pytest.mark.django_db
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_same_site_as_wagtails_query_for_every_host_and_port(layout):
    Site.objects.all().delete()
    root = Page.get_first_root_node()
    for n, (hostname, port, default) in enumerate(layout):
        home = root.add_child(instance=Page(title=f"Home {n}", slug=f"home-{n}"))
        Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=default
        )
    for hostname, port in itertools.product([*HOSTNAMES, "other.example"], PORTS):
        expected = wagtail_choice(hostname, port)
        found = site_for_host(hostname, port)
        assert (found and found.pk) == (expected and expected.pk), (hostname, port)


def site_queries(client, path, host):
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return [sql for sql in seen if 'FROM "wagtailcore_site"' in sql]


def test_pages_and_the_api_find_their_clinic_without_a_query(
    client, clinic_sites, treatment_page
):
    site = clinic_sites.toronto.site
    host = host_of(site)
    paths = [
        treatment_page.relative_url(site) + "?fresh=1",
        f"/api/v2/pages/{treatment_page.pk}/",
        f"/api/v3/pages/{treatment_page.pk}/",
        "/search/?q=prolotherapy",
    ]
    for path in paths:
        site_queries(client, path, host)  # fills the cache
    for path in paths:
        assert site_queries(client, path, host) == [], path


def test_a_changed_site_is_seen_at_once(client, clinic_sites, kelowna_treatment):
    site = clinic_sites.kelowna.site
    assert not site.is_default_site
    assert get_page(client, kelowna_treatment, site).status_code == 200
    site.hostname = "kelowna-new.localhost"
    site.save()
    response = client.get(
        kelowna_treatment.relative_url(site) + "?x=1", HTTP_HOST=host_of(site)
    )
    assert response.status_code == 200
    assert response.wsgi_request._wagtail_site.pk == site.pk


def test_a_renamed_home_page_is_seen_at_once(client, clinic_sites):
    site = clinic_sites.kelowna.site
    host = host_of(site)
    assert client.get("/api/v3/clinic/", HTTP_HOST=host).status_code == 200
    first = client.get("/", HTTP_HOST=host).wsgi_request._wagtail_site
    home = site.root_page.specific
    home.slug = "kelowna-home-renamed"
    home.save()
    again = client.get("/?x=1", HTTP_HOST=host).wsgi_request._wagtail_site
    assert first.root_page.slug != "kelowna-home-renamed"
    assert again.root_page.slug == "kelowna-home-renamed"


def api_ids(client, site):
    response = client.get(
        "/api/v2/pages/?type=treatments.TreatmentPage&limit=100",
        HTTP_HOST=host_of(site),
    )
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def test_a_page_restricted_after_it_was_read_leaves_the_api_at_once(
    client, clinic_sites, treatment_page
):
    site = clinic_sites.toronto.site
    host = host_of(site)
    detail = f"/api/v3/pages/{treatment_page.pk}/"
    assert treatment_page.pk in api_ids(client, site)
    assert client.get(detail, HTTP_HOST=host).status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=treatment_page, restriction_type=PageViewRestriction.LOGIN
    )
    assert treatment_page.pk not in api_ids(client, site)
    assert client.get(detail, HTTP_HOST=host).status_code == 404
    restriction.delete()
    assert treatment_page.pk in api_ids(client, site)
    assert client.get(detail, HTTP_HOST=host).status_code == 200


def test_a_restriction_on_an_ancestor_covers_pages_moved_under_it(
    client, clinic_sites, treatment_page
):
    from .helpers import make_treatment

    site = clinic_sites.toronto.site
    index = clinic_sites.toronto.index
    other = make_treatment(index, title="Moved treatment", slug="moved-treatment")
    PageViewRestriction.objects.create(
        page=treatment_page, restriction_type=PageViewRestriction.LOGIN
    )
    assert other.pk in api_ids(client, site)
    # A restricted page's subtree: a page moved into it is private at once.
    other.move(treatment_page, pos="last-child")
    assert other.pk not in api_ids(client, site)


def test_api_reads_take_the_restrictions_from_the_cache(
    client, clinic_sites, treatment_page
):
    site = clinic_sites.toronto.site
    api_ids(client, site)
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        api_ids(client, site)
    assert not [sql for sql in seen if "wagtailcore_pageviewrestriction" in sql]


def wagtails_restrictions(page):
    """What Wagtail itself says applies to ``page`` (its two queries)."""
    return set(Page.get_view_restrictions(page).values_list("pk", flat=True))


def our_restrictions(page):
    return set(page.get_view_restrictions().values_list("pk", flat=True))


def every_clinic_page():
    return [page.specific for page in Page.objects.filter(depth__gt=1)]


def test_view_restrictions_are_wagtails_for_every_page(clinic_sites, treatment_page):
    from .helpers import make_treatment

    toronto, kelowna = clinic_sites.toronto, clinic_sites.kelowna
    shared = make_treatment(toronto.index, title="Shared", slug="shared")
    below = make_treatment(toronto.index, title="Below", slug="below")
    below.move(treatment_page, pos="last-child")
    PageViewRestriction.objects.create(
        page=treatment_page, restriction_type=PageViewRestriction.LOGIN
    )
    cases = []
    for step in ("restricted", "aliased", "alias of restricted", "source restricted"):
        if step == "aliased":
            # Sharing a treatment with the other clinic: an alias page there,
            # made after the cached list was read, and a page of its own
            # under the alias (Wagtail gives it the alias's source's
            # restrictions, whenever they are added).
            alias = shared.create_alias(
                parent=kelowna.index, update_slug="shared", recursive=False
            )
            make_treatment(alias, title="Under alias", slug="under-alias")
        elif step == "alias of restricted":
            # Wagtail copies the restriction onto the new alias.
            treatment_page.create_alias(parent=kelowna.index, update_slug="private")
        elif step == "source restricted":
            PageViewRestriction.objects.create(
                page=shared, restriction_type=PageViewRestriction.PASSWORD, password="x"
            )
        for page in every_clinic_page():
            cases.append((step, page.url_path, our_restrictions(page)))
            assert our_restrictions(page) == wagtails_restrictions(page), (step, page)
    # The property is not vacuous: each kind of answer is among the cases.
    assert {step for step, _, found in cases if found} >= {
        "restricted",
        "alias of restricted",
        "source restricted",
    }
    assert [
        path for step, path, found in cases if path.endswith("/under-alias/") and found
    ]
    assert [path for step, path, found in cases if step == "aliased" and not found]


def test_an_unrestricted_page_is_checked_without_a_query(
    client, clinic_sites, treatment_page
):
    host = host_of(clinic_sites.toronto.site)
    client.get(treatment_page.url, HTTP_HOST=host)
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert (
            client.get(treatment_page.url + "?fresh", HTTP_HOST=host).status_code == 200
        )
    # Wagtail's check reads the restrictions table itself (the menu's
    # "public" filter only names it in a subquery).
    assert not [
        sql for sql in seen if 'FROM "wagtailcore_pageviewrestriction" WHERE' in sql
    ]
    PageViewRestriction.objects.create(
        page=clinic_sites.toronto.index, restriction_type=PageViewRestriction.LOGIN
    )
    # Restricted from above: Wagtail's own check, which sends visitors to log in.
    response = client.get(treatment_page.url + "?fresh", HTTP_HOST=host)
    assert response.status_code == 302


# A page's parent in the API (treatments.api.specific_for_api): from the
# cached Sites when it is a clinic's home page or section, and shown in v2
# when it is one of the endpoint's public pages, decided without a query.


def anonymous_api_request(site):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/api/v2/pages/", HTTP_HOST=host_of(site))
    request.user = AnonymousUser()
    return request


def varied_clinic_pages(clinic_sites, treatment_page):
    """Both clinics, with a draft, a restricted section and its subtree, a
    page under a treatment, and an alias of a treatment in the other clinic."""
    from .helpers import make_treatment

    toronto, kelowna = clinic_sites.toronto, clinic_sites.kelowna
    make_treatment(treatment_page, title="Below a treatment", slug="below")
    draft = make_treatment(toronto.index, title="Soon", slug="soon")
    draft.unpublish()
    private = toronto.home.add_child(instance=Page(title="Staff", slug="staff"))
    make_treatment(private, title="Staff only", slug="staff-only")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    treatment_page.create_alias(parent=kelowna.index, update_slug="shared")
    return list(Page.objects.filter(depth__gt=1))


def test_the_cached_parent_is_the_databases_for_every_page(
    clinic_sites, treatment_page
):
    from clinics.boundary import cached_parent

    found = {}
    for page in varied_clinic_pages(clinic_sites, treatment_page):
        parent = cached_parent(page)
        found[page.url_path] = parent
        if parent is not None:
            real = Page.objects.get(pk=page.get_parent().pk)
            assert (parent.pk, parent.title, parent.live) == (
                real.pk,
                real.title,
                real.live,
            ), page
    # Not vacuous: treatments find their section and sections their home
    # page; pages in no section (under a treatment, a restricted section, a
    # home page itself) are left to the database.
    index = clinic_sites.toronto.index
    assert found[treatment_page.url_path].pk == index.pk
    assert found[index.url_path].pk == clinic_sites.toronto.home.pk
    assert found[treatment_page.url_path + "below/"] is None
    assert found[index.url_path.replace("treatments", "staff/staff-only")] is None


def test_publicly_readable_is_the_public_api_queryset_for_every_page(
    clinic_sites, treatment_page
):
    from clinics.boundary import publicly_readable, readable_pages

    pages = varied_clinic_pages(clinic_sites, treatment_page)
    answers = set()
    for clinic in (clinic_sites.toronto, clinic_sites.kelowna):
        request = anonymous_api_request(clinic.site)
        queryset = readable_pages(request, as_anonymous=True)
        for page in pages:
            expected = queryset.filter(pk=page.pk).exists()
            assert publicly_readable(request, page) == expected, (clinic, page)
            answers.add(expected)
    assert answers == {True, False}


def api_parent(client, site, version, page):
    response = client.get(f"/api/{version}/pages/{page.pk}/", HTTP_HOST=host_of(site))
    assert response.status_code == 200, response.content[:300]
    parent = response.json()["meta"]["parent"]
    return parent and (parent["id"], parent["title"])


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_the_api_shows_a_renamed_section_as_the_parent_at_once(
    client, clinic_sites, treatment_page, version
):
    site = clinic_sites.toronto.site
    index = Page.objects.get(pk=clinic_sites.toronto.index.pk).specific
    assert api_parent(client, site, version, treatment_page) == (index.pk, index.title)
    index.title = "Our treatments"
    index.save_revision().publish()
    assert api_parent(client, site, version, treatment_page) == (
        index.pk,
        "Our treatments",
    )


def test_v2_shows_no_parent_a_visitor_may_not_read(client, clinic_sites):
    from .helpers import make_treatment

    toronto = clinic_sites.toronto
    private = toronto.home.add_child(instance=Page(title="Staff", slug="staff"))
    page = make_treatment(private, title="Staff note", slug="staff-note")
    site = toronto.site
    assert api_parent(client, site, "v2", page) == (private.pk, "Staff")
    # The section taken offline: the page is still live, its parent is no
    # longer one of the public pages v2 shows (Wagtail's rule).
    private.unpublish()
    assert api_parent(client, site, "v2", page) is None
