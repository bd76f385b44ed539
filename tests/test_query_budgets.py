"""Query budgets: what a page or an API answer costs in SQL queries must not
grow with the number of pages listed, blocks, images or rich-text links.

Every view is measured with 1, 10 and 50 of the thing that could multiply
queries, after one warm-up request (renditions are created on first use,
which is a one-off write, not a per-request cost). The counts must be equal
across sizes and within the budget.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from treatments.models import TreatmentPage

from .helpers import full_body, get_page, host_of, make_image, make_treatment

SIZES = [1, 10, 50]

# Budgets, in queries per request (see bench/README.md for the targets).
API_LISTING_BUDGET = 8
# Detail: view restrictions, site, page, its specific type, locale, parent,
# hero image, linked pages (choosers and rich text), body images, renditions.
API_DETAIL_BUDGET = 12
# The page: its site, route, view restrictions, linked pages, images and
# renditions, the clinic's sections (menu, booking box) and its providers.
TREATMENT_PAGE_BUDGET = 11
HOME_PAGE_BUDGET = 10
INDEX_PAGE_BUDGET = 10
SEARCH_BUDGET = 10


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
    "api_v2_detail": (
        lambda clinic, hub, pages: f"/api/v2/pages/{hub.pk}/",
        API_DETAIL_BUDGET,
    ),
    "api_v3_detail": (
        lambda clinic, hub, pages: f"/api/v3/pages/{hub.pk}/",
        API_DETAIL_BUDGET,
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


@pytest.fixture(scope="module")
def counts_by_size():
    return {}


@pytest.mark.parametrize("n", SIZES)
def test_query_counts_do_not_grow(n, clinic_sites, client, settings, counts_by_size):
    paths = {name: path for name, (path, _) in VIEWS.items()}
    counts = measure(clinic_sites, client, settings, paths, n)
    counts_by_size[n] = counts
    over = {
        name: counts[name]
        for name, (_, budget) in VIEWS.items()
        if counts[name] > budget
    }
    assert not over, f"over budget with n={n}: {over}; all: {counts}"
    first = counts_by_size[min(counts_by_size)]
    assert counts == first, f"counts with n={n}: {counts}; first size: {first}"


def test_treatment_page_shows_the_links(clinic_sites, client, settings):
    """The budgets are measured on pages that really render their links."""
    settings.PAGE_CACHE_SECONDS = 0
    hub, pages = build_clinic(clinic_sites.toronto, 3)
    response = get_page(client, hub, clinic_sites.toronto.site)
    html = response.content.decode()
    for page in pages:
        assert f'href="{page.relative_url(clinic_sites.toronto.site)}"' in html
    assert TreatmentPage.objects.live().count() == 4
