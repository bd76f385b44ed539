import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page, Site

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


def search(request):
    query = clean_query(request.GET.get("q", ""))
    site = Site.find_for_request(request)
    results = Page.objects.none()
    if query and site is not None:
        # Only this clinic's live pages that anyone may see; never drafts,
        # private pages or the other clinic's pages.
        pages = Page.objects.live().public().in_site(site).specific()
        results = pages.search(query)

    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        page_of_results = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page_of_results = paginator.page(1)
    except EmptyPage:
        page_of_results = paginator.page(paginator.num_pages)

    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "search_results": page_of_results},
    )
