import re

from django.template.response import TemplateResponse
from wagtail.models import Page

from clinics.boundary import request_site, without_restricted
from clinics.listing import ListPage, page_number, page_slice

from . import results_cache

# Visitors type a few words; anything longer is cut rather than sent whole to
# the search backend (long queries are slow and can fail in some backends).
MAX_QUERY_TERMS = 12
MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 10


def clean_query(raw):
    """Plain lower-case words only, at most MAX_QUERY_TERMS of them.

    Wagtail's database backends pass punctuation and upper-case AND/OR/NOT to
    the engine's query syntax (SQLite FTS5 fails on a stray "("), so visitors'
    text is reduced to words before it reaches the backend.
    """
    words = re.findall(r"\w+", raw[:MAX_QUERY_LENGTH].lower())
    return " ".join(words[:MAX_QUERY_TERMS])


def ranked_ids(site, query, number):
    """Ids of the results on page ``number``, best first, and one more if
    there is a next page."""
    # Only this clinic's live pages that anyone may see; never drafts,
    # private pages or the other clinic's pages.
    pages = without_restricted(Page.objects.live().in_site(site))
    # One ranked full-text query for this page of results (clinics.listing:
    # no total count, which would be a second full-text query over the whole
    # clinic on every search).
    return [
        page.pk for page in pages.search(query)[page_slice(number, RESULTS_PER_PAGE)]
    ]


def result_pages(ids):
    """The live pages ``ids`` as their own page types (for their summaries),
    by id; live() again, in case of a stale cache entry. Without their
    StreamField bodies, which a results list never shows and which would be
    most of the cost of a search once its ranking is cached."""
    pages = Page.objects.live().filter(pk__in=ids).specific().defer_streamfields()
    return {page.pk: page for page in pages}


def search(request):
    query = clean_query(request.GET.get("q", ""))
    site = request_site(request)
    # A page number that is not one shows the first page: visitors type into
    # this address, and an error page would lose their query.
    number = page_number(request.GET.get("page")) or 1
    found = []
    if query and site is not None:
        found = results_cache.get(site, query, number)
        if found is None:
            found = ranked_ids(site, query, number)
            results_cache.put(site, query, number, found)
    listing = ListPage(found, number, RESULTS_PER_PAGE, query={"q": query})
    by_id = result_pages(listing.items)
    listing.items = [by_id[pk] for pk in listing.items if pk in by_id]
    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "search_results": listing.items, "listing": listing},
    )
