"""Site search as a stock Wagtail project has it: the database search backend
over the request's site, ten results a page."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse
from wagtail.models import Page, Site


def search(request):
    query = request.GET.get("q", "")
    results = Page.objects.none()
    if query:
        site = Site.find_for_request(request)
        results = (
            Page.objects.live()
            .public()
            .descendant_of(site.root_page, inclusive=True)
            .specific()
            .search(query)
        )
    paginator = Paginator(results, 10)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return TemplateResponse(
        request, "search.html", {"search_query": query, "search_results": page}
    )
