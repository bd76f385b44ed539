"""One page of a list visitors browse (a clinic's treatments, search results).

A page is fetched with one row more than it shows, which says whether there is
a next page: no total count, so a page costs one query however long the list
grows (a count of a clinic's pages, or of a full-text match, is a second scan
of all of them on every view).
"""

from urllib.parse import urlencode

from django.utils.translation import gettext as _

# Visitors rarely go past a few pages; the cap keeps database offsets small
# (an offset past a 64-bit integer fails in PostgreSQL).
MAX_PAGES = 100


def page_number(raw):
    """A ``?page=`` value as a whole number from 1 to MAX_PAGES (a larger one
    is MAX_PAGES), or None when it is not a whole number of at least 1."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return min(number, MAX_PAGES) if number >= 1 else None


def page_slice(number, per_page):
    """The rows to fetch for page ``number``: its own and one more."""
    start = (number - 1) * per_page
    return slice(start, start + per_page + 1)


class ListPage:
    """Page ``number`` of a list, from the rows ``page_slice`` fetched."""

    def __init__(self, fetched, number, per_page, query=None):
        fetched = list(fetched)
        # The rest of the query string the page's links keep (a search's q).
        self.query = query or {}
        self.items = fetched[:per_page]
        self.number = number
        self.first = (number - 1) * per_page + 1
        self.previous_number = number - 1 if number > 1 else None
        self.next_number = number + 1 if len(fetched) > per_page else None

    @classmethod
    def of(cls, rows, number, per_page, query=None):
        """Page ``number`` of ``rows`` (a queryset, or anything sliceable)."""
        return cls(rows[page_slice(number, per_page)], number, per_page, query)

    @property
    def last(self):
        # A property: search drops ids whose pages went away since caching.
        return self.first + len(self.items) - 1

    @property
    def is_paginated(self):
        return self.previous_number is not None or self.next_number is not None

    @property
    def label(self):
        # For screen readers and the page title: "Page 2".
        return _("Page %(number)s") % {"number": self.number}

    def link(self, number):
        """A relative link to page ``number`` of the same list. The first page
        has no ``?page=``: it is the address the page cache keeps."""
        params = {**self.query, **({"page": number} if number > 1 else {})}
        return "?" + urlencode(params) if params else "./"

    @property
    def own_link(self):
        # Each page of a list is its own canonical address.
        return self.link(self.number)

    @property
    def previous_link(self):
        return self.link(self.previous_number) if self.previous_number else None

    @property
    def next_link(self):
        return self.link(self.next_number) if self.next_number else None
