"""Page links in rich text, resolved with one query per request.

Wagtail resolves the page links of each rich text value on its own (two
queries per value with links: ids and content types, then the specific
pages), so a treatment whose FAQ answers each link to a page costs two
queries per answer. Here the pages a stream links to are fetched together
before it is rendered or serialised (``prefetch_links``), and Wagtail's page
link handler is replaced by one that looks in that per-request set first.
Links only need the page's URL, so generic pages are enough.
"""

import contextvars

from django.core.signals import request_finished, request_started
from wagtail import hooks
from wagtail.models import Page
from wagtail.rich_text.pages import PageLinkHandler

# Page id (str) -> Page, or None where no such page exists. None outside a
# request that prefetched, so nothing outlives the request.
_link_pages = contextvars.ContextVar("clinic_link_pages", default=None)


def _forget(**kwargs):
    _link_pages.set(None)


request_started.connect(_forget, dispatch_uid="clinic_link_pages_start")
request_finished.connect(_forget, dispatch_uid="clinic_link_pages_finish")


# What a page link's URL needs (``Page.get_url_parts`` and ``localized``):
# building a Page of all its columns costs more than the query itself.
LINK_FIELDS = ("id", "path", "depth", "url_path", "live", "locale", "translation_key")


def _load(known, ids):
    missing = {str(i) for i in ids} - known.keys()
    if missing:
        pages = Page.objects.filter(id__in=missing).order_by().only(*LINK_FIELDS)
        found = {str(page.pk): page for page in pages}
        for page_id in missing:
            known[page_id] = found.get(page_id)


def prefetch_links(stream_block, stream_values):
    """Fetch, in one query, every page linked from these streams' rich text."""
    ids = {
        object_id
        for value in stream_values
        for model, object_id, _, _ in stream_block.extract_references(value)
        if issubclass(model, Page)
    }
    known = _link_pages.get()
    if known is None:
        known = {}
        _link_pages.set(known)
    _load(known, ids)


class PrefetchedPageLinkHandler(PageLinkHandler):
    @classmethod
    def get_many(cls, attrs_list):
        known = _link_pages.get()
        if known is None:
            return super().get_many(attrs_list)
        ids = [str(attrs.get("id")) for attrs in attrs_list]
        _load(known, ids)
        return [known[page_id] for page_id in ids]


@hooks.register("register_rich_text_features", order=100)
def register_prefetched_page_links(features):
    # After Wagtail's own registration of the "page" link type (order 0).
    features.register_link_type(PrefetchedPageLinkHandler)
