"""Query budgets: what a page or an API answer costs in SQL queries, and in
commands to the shared Redis cache, must not grow with the number of pages
listed, blocks, images or rich-text links.

Every view is measured with 1, 10 and 50 of the thing that could multiply
queries, after one warm-up request (renditions are created on first use,
which is a one-off write, not a per-request cost). The counts must be equal
across sizes and within the budget. Redis commands are counted on a real
redis-server of the module's own, behind the product's cache backend.
"""

from collections import defaultdict

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics import revalidation
from treatments.models import TreatmentPage

from .helpers import full_body, get_page, host_of, make_image, make_treatment
from .redis_server import counting_redis_commands

SIZES = [1, 10, 50]

# Budgets, in queries per request (see bench/README.md for the targets).
API_LISTING_BUDGET = 6
# A listing of titles (the default fields, an API search): the count and
# the page of results.
API_TITLES_BUDGET = 2
# The clinic's Site and the restricted pages come from the shared cache, not
# queries (clinics/boundary.py).
# v2 detail: the page's type, the page in its type with the hero image and
# the hero's renditions; its body and JSON-LD as JSON from the shared cache,
# kept by version of what the answer shows (clinics.revalidation). Its parent
# (the clinic's section) comes with the cached Sites and its readability from
# the cached lists (treatments.api.specific_for_api, clinics.boundary).
API_V2_DETAIL_BUDGET = 3
# v3 detail: the same through Wagtail's v3 view (treatments.api.speed_v3_detail),
# which checks the page is in the clinic first.
API_V3_DETAIL_BUDGET = 4
# The first answer after a change (the body's JSON not kept yet): body
# images, chooser pages, rich-text linked pages (only their URL columns) and
# all their renditions in one query each, whatever their number.
API_V2_DETAIL_UNKEPT_BUDGET = 6
API_V3_DETAIL_UNKEPT_BUDGET = 7
# The page: its route (two queries: the page with its parent, then its own
# type with the hero image), the hero's renditions and its providers. The
# clinic's home page and its sections (the menu, the booking box) come with
# the cached Sites, the body from the fragment cache, and the view
# restrictions from the boundary's cached list (clinics.boundary), not four
# queries of Wagtail's and ours.
TREATMENT_PAGE_BUDGET = 4
# The home page: its list of treatments.
HOME_PAGE_BUDGET = 1
INDEX_PAGE_BUDGET = 3
# Search: the ranked results page and the results as their own types;
# PostgreSQL's search backend runs one more query than SQLite's.
SEARCH_BUDGET = 3 if connection.vendor == "postgresql" else 2
# Redis commands per request: the clinic Sites and restricted pages (one
# MGET), the content generations a page's validators name (one MGET),
# Wagtail's site root paths
# and the clinic's settings (once per request, however many links), the page,
# search and rendition caches where they apply.
REDIS_BUDGET = 5


def page_link(page):
    return f'<a linktype="page" id="{page.pk}">{page.title}</a>'


def linking_body(image, targets):
    """Every block type; per target a rich text section and an FAQ answer
    linking to it, and a call-to-action leading to it."""
    body = full_body(image=image, link_page=targets[0])
    body += [
        {
            "type": "rich_text",
            "value": {"heading": "", "body": f"<p>See {page_link(target)}</p>"},
        }
        for target in targets
    ]
    body.append(
        {
            "type": "faq",
            "value": {
                "heading": "Related questions",
                "items": [
                    {
                        "question": f"What about {target.title}?",
                        "answer": f"<p>Read {page_link(target)}.</p>",
                    }
                    for target in targets
                ],
            },
        }
    )
    body += [
        {
            "type": "call_to_action",
            "value": {
                "heading": f"See {target.title}",
                "text": "",
                "button_label": "Read more",
                "link_page": target.pk,
                "link_url": "",
            },
        }
        for target in targets
    ]
    return body


def build_clinic(clinic, n):
    """``n`` treatments under the clinic's index, each with a hero image, every
    block type, an image block and rich-text links; the last one links to all
    the others and carries ``n`` image blocks."""
    index = clinic.index
    hero = make_image(title="Hero", size=(64, 36))
    pages = []
    for i in range(n):
        pages.append(
            make_treatment(
                index,
                title=f"Treatment {i:03d}",
                hero_image=hero,
                body=full_body(image=hero, link_page=index),
            )
        )
    images = [make_image(title=f"Image {i}", size=(32, 18)) for i in range(n)]
    body = linking_body(images[0], pages)
    body += [
        {
            "type": "image",
            "value": {"image": image.pk, "alt_text": "Alt", "caption": ""},
        }
        for image in images
    ]
    hub = make_treatment(index, title="Hub", hero_image=hero, body=body)
    return hub, pages


def count_queries(client, path, host, warm_up=True):
    if warm_up:
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, response.content[:500]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return len(queries), response


def measure(clinic_sites, client, settings, paths, n):
    settings.PAGE_CACHE_SECONDS = 0  # measure the uncached cost
    clinic = clinic_sites.toronto
    hub, pages = build_clinic(clinic, n)
    host = host_of(clinic.site)
    return {
        name: count_queries(client, path(clinic, hub, pages), host)[0]
        for name, path in paths.items()
    }


VIEWS = {
    "api_v2_listing": (
        lambda clinic, hub, pages: (
            "/api/v2/pages/?type=treatments.TreatmentPage&fields=*&limit=20"
        ),
        API_LISTING_BUDGET,
    ),
    "api_v2_listing_all": (
        lambda clinic, hub, pages: (
            "/api/v2/pages/?type=treatments.TreatmentPage&fields=*&limit=100"
        ),
        API_LISTING_BUDGET,
    ),
    "api_v2_listing_hero_images": (
        lambda clinic, hub, pages: (
            "/api/v2/pages/?type=treatments.TreatmentPage&fields=hero_image&limit=20"
        ),
        API_LISTING_BUDGET,
    ),
    # Titles only: no body is converted, no image or link fetched.
    "api_v2_search": (
        lambda clinic, hub, pages: (
            "/api/v2/pages/?type=treatments.TreatmentPage&search=treatment"
        ),
        API_TITLES_BUDGET,
    ),
    "api_v2_detail": (
        lambda clinic, hub, pages: f"/api/v2/pages/{hub.pk}/",
        API_V2_DETAIL_BUDGET,
    ),
    "api_v3_detail": (
        lambda clinic, hub, pages: f"/api/v3/pages/{hub.pk}/",
        API_V3_DETAIL_BUDGET,
    ),
    "treatment_page": (
        lambda clinic, hub, pages: hub.relative_url(clinic.site),
        TREATMENT_PAGE_BUDGET,
    ),
    "home_page": (lambda clinic, hub, pages: "/", HOME_PAGE_BUDGET),
    "index_page": (
        lambda clinic, hub, pages: clinic.index.relative_url(clinic.site),
        INDEX_PAGE_BUDGET,
    ),
    "search": (
        lambda clinic, hub, pages: "/search/?q=treatment",
        SEARCH_BUDGET,
    ),
}


def assert_within_budget_and_flat(counts, budgets, by_size, n, shown=None):
    """Each count within its budget, and the same as at the first size
    measured (``by_size`` keeps the counts of every size, module-wide)."""
    by_size[n] = counts
    shown = shown or counts
    over = {name: shown[name] for name in counts if counts[name] > budgets[name]}
    assert not over, f"over budget with n={n}: {over}; all: {counts}"
    first = by_size[min(by_size)]
    assert counts == first, f"with n={n}: {shown}; first size: {first}"


@pytest.fixture(scope="module")
def counts_by_size():
    """Each test's counts at every size it has measured, for the module."""
    return defaultdict(dict)


@pytest.mark.parametrize("n", SIZES)
def test_query_counts_do_not_grow(n, clinic_sites, client, settings, counts_by_size):
    paths = {name: path for name, (path, _) in VIEWS.items()}
    counts = measure(clinic_sites, client, settings, paths, n)
    budgets = {name: budget for name, (_, budget) in VIEWS.items()}
    assert_within_budget_and_flat(counts, budgets, counts_by_size["queries"], n)


@pytest.mark.parametrize("n", SIZES)
def test_a_detail_whose_json_is_not_kept_costs_the_same_at_every_size(
    n, clinic_sites, client, settings, monkeypatch, counts_by_size
):
    """The first detail after a publish converts the body: still a fixed
    number of queries however many images and links the page has."""
    monkeypatch.setattr(revalidation, "fragment_key", lambda *args: None)
    budgets = {
        "api_v2_detail": API_V2_DETAIL_UNKEPT_BUDGET,
        "api_v3_detail": API_V3_DETAIL_UNKEPT_BUDGET,
    }
    paths = {name: VIEWS[name][0] for name in budgets}
    counts = measure(clinic_sites, client, settings, paths, n)
    assert_within_budget_and_flat(counts, budgets, counts_by_size["unkept"], n)


def test_treatment_page_shows_the_links(clinic_sites, client, settings):
    """The budgets are measured on pages that really render their links."""
    settings.PAGE_CACHE_SECONDS = 0
    hub, pages = build_clinic(clinic_sites.toronto, 3)
    response = get_page(client, hub, clinic_sites.toronto.site)
    html = response.content.decode()
    for page in pages:
        assert f'href="{page.relative_url(clinic_sites.toronto.site)}"' in html
    assert TreatmentPage.objects.live().count() == 4


# Redis commands


def count_redis_commands(client, path, host):
    response = client.get(path, HTTP_HOST=host)  # warm-up
    assert response.status_code == 200, response.content[:500]
    with counting_redis_commands() as sent:
        response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return sent


@pytest.mark.parametrize("n", SIZES)
def test_redis_commands_do_not_grow(
    n, clinic_sites, client, settings, redis_cache, counts_by_size
):
    settings.PAGE_CACHE_SECONDS = 0  # the uncached cost, as for queries
    settings.SEARCH_RESULTS_CACHE_SECONDS = 0
    clinic = clinic_sites.toronto
    hub, pages = build_clinic(clinic, n)
    host = host_of(clinic.site)
    sent = {
        name: count_redis_commands(client, path(clinic, hub, pages), host)
        for name, (path, _) in VIEWS.items()
    }
    counts = {name: len(commands) for name, commands in sent.items()}
    budgets = dict.fromkeys(counts, REDIS_BUDGET)
    assert_within_budget_and_flat(counts, budgets, counts_by_size["redis"], n, sent)


def test_the_redis_count_sees_the_cache_at_work(
    clinic_sites, client, settings, redis_cache, treatment_page
):
    """The count is of real traffic: with each process's tracked copy of the
    pages off (tests/test_tracked_copy.py), a page-cache hit is one GET."""
    settings.PAGE_CACHE_COPY_ENTRIES = 0
    host = host_of(clinic_sites.toronto.site)
    path = treatment_page.relative_url(clinic_sites.toronto.site)
    count_redis_commands(client, path, host)  # stored in the page cache
    with counting_redis_commands() as sent:
        assert client.get(path, HTTP_HOST=host)["X-Cache"] == "HIT"
    assert sent == ["GET"]
    assert redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).dbsize() > 0


def test_one_redis_client_per_connection_pool(
    clinic_sites, client, settings, redis_cache, treatment_page, monkeypatch
):
    """Django builds a redis-py client on every cache call; ours keeps one per
    pool (clinics/cache_backends.py), so a warm request builds none."""
    host = host_of(clinic_sites.toronto.site)
    urls = [
        f"/api/v2/pages/{treatment_page.pk}/",
        f"/api/v3/pages/{treatment_page.pk}/",
        treatment_page.relative_url(clinic_sites.toronto.site) + "?uncached=1",
    ]
    for url in urls:
        assert client.get(url, HTTP_HOST=host).status_code == 200
    built = []
    real_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    with counting_redis_commands() as sent:
        for url in urls:
            assert client.get(url, HTTP_HOST=host).status_code == 200
    assert sent, "the requests used the Redis cache"
    assert built == []
