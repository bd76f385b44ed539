"""The public search box searches only this clinic's live, public pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from .helpers import host_of, make_treatment


def search(client, site, **params):
    return client.get("/search/", params, HTTP_HOST=host_of(site))


def result_titles(response):
    assert response.status_code == 200
    return [page.title for page in response.context["search_results"]]


def test_search_finds_own_clinic_pages_only(
    client, clinic_sites, treatment_page, kelowna_treatment
):
    titles = result_titles(search(client, clinic_sites.toronto.site, q="Prolotherapy"))
    assert "Prolotherapy" in titles
    assert "Kelowna Prolotherapy" not in titles
    titles = result_titles(search(client, clinic_sites.kelowna.site, q="Prolotherapy"))
    assert titles == ["Kelowna Prolotherapy"]


def test_search_never_shows_drafts_or_private_pages(client, clinic_sites):
    index = clinic_sites.toronto.index
    draft = make_treatment(index, title="Secret draft therapy")
    draft.unpublish()
    private = make_treatment(index, title="Private members therapy")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    site = clinic_sites.toronto.site
    assert result_titles(search(client, site, q="Secret draft")) == []
    assert result_titles(search(client, site, q="Private members")) == []


@pytest.mark.parametrize(
    "query",
    ["", "   ", "word " * 500, "a\x00b", '((( AND OR NOT "', "%' OR 1=1 --", "ü" * 300],
    ids=["empty", "blank", "long", "nul", "operators", "sql", "unicode"],
)
def test_odd_queries_get_a_normal_page(client, clinic_sites, treatment_page, query):
    response = search(client, clinic_sites.toronto.site, q=query)
    assert response.status_code == 200
    assert b"Search" in response.content


@pytest.mark.parametrize("page_number", ["0", "-1", "abc", "99999999999999999999"])
def test_bad_page_numbers_get_a_normal_page(
    client, clinic_sites, treatment_page, page_number
):
    response = search(
        client, clinic_sites.toronto.site, q="Prolotherapy", page=page_number
    )
    assert response.status_code == 200


def test_results_highlight_the_words_searched_for(client, clinic_sites):
    make_treatment(
        clinic_sites.toronto.index,
        title="Shockwave therapy",
        # Markup in the text must come out escaped around the highlight.
        # (PostgreSQL's parser drops "<word>" as an HTML tag, so the word
        # searched for stands outside the brackets.)
        summary="Sound waves for tendon pain <b>now</b>",
    )
    response = search(client, clinic_sites.toronto.site, q="tendon")
    html = response.content.decode()
    assert "Sound waves for <mark>tendon</mark> pain &lt;b&gt;now&lt;/b&gt;" in html


def test_results_are_paginated(client, clinic_sites):
    for i in range(12):
        make_treatment(clinic_sites.toronto.index, title=f"Therapy number {i}")
    site = clinic_sites.toronto.site
    first = search(client, site, q="therapy")
    assert len(first.context["search_results"]) == 10
    assert "Results 1–10" in first.content.decode()
    assert b'rel="next" href="?q=therapy&amp;page=2"' in first.content
    assert b'rel="prev"' not in first.content
    second = search(client, site, q="therapy", page="2")
    assert len(second.context["search_results"]) == 2
    assert "Results 11–12" in second.content.decode()
    # Back to the first page, which carries no page number.
    assert b'rel="prev" href="?q=therapy"' in second.content
    assert b"page=3" not in second.content
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    beyond = search(client, site, q="therapy", page="3")
    assert "No more results" in beyond.content.decode()


def test_search_query_budget_is_flat(
    client, clinic_sites, django_assert_max_num_queries
):
    for i in range(10):
        make_treatment(clinic_sites.toronto.index, title=f"Budget therapy {i}")
    site = clinic_sites.toronto.site
    search(client, site, q="budget")
    with django_assert_max_num_queries(12):
        assert search(client, site, q="budget").status_code == 200


def test_long_query_is_capped_to_a_few_terms(client, clinic_sites):
    from search.views import MAX_QUERY_TERMS

    response = search(client, clinic_sites.toronto.site, q="word " * 500)
    assert len(response.context["search_query"].split()) == MAX_QUERY_TERMS


def test_results_cache_never_outlives_a_change(client, clinic_sites):
    """Ranked results are reused between visitors, but publishing,
    unpublishing or restricting a page shows in the very next search."""
    site = clinic_sites.toronto.site
    first = make_treatment(clinic_sites.toronto.index, title="Alpha cryotherapy")
    assert result_titles(search(client, site, q="cryotherapy")) == ["Alpha cryotherapy"]

    second = make_treatment(clinic_sites.toronto.index, title="Beta cryotherapy")
    assert sorted(result_titles(search(client, site, q="cryotherapy"))) == [
        "Alpha cryotherapy",
        "Beta cryotherapy",
    ]

    first.unpublish()
    assert result_titles(search(client, site, q="cryotherapy")) == ["Beta cryotherapy"]

    PageViewRestriction.objects.create(
        page=second, restriction_type=PageViewRestriction.LOGIN
    )
    assert result_titles(search(client, site, q="cryotherapy")) == []


def test_repeated_search_skips_the_ranking(client, clinic_sites):
    make_treatment(clinic_sites.toronto.index, title="Gamma cryotherapy")
    site = clinic_sites.toronto.site
    search(client, site, q="cryotherapy")
    with CaptureQueriesContext(connection) as repeated:
        assert result_titles(search(client, site, q="cryotherapy")) == [
            "Gamma cryotherapy"
        ]
    assert not any("indexentry" in q["sql"] for q in repeated.captured_queries)
