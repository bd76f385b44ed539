"""Wagtail's database search backend, with a cheaper ranked query on PostgreSQL.

``WAGTAILSEARCH_BACKENDS`` names this module: on PostgreSQL it is modelsearch's
PostgreSQL backend with the query compiler below; on any other database it is
exactly what ``wagtail.search.backends.database`` would choose.

Why our own compiler: a clinic's search ranks every page that matches, so the
cost of each matching row is the cost of a search (a common word matches every
treatment of a clinic). Wagtail's query spends most of it on three things that
change no result:

- its index entries are joined with every page type's content type (``IN`` of
  nine types: nine index probes a page), where an entry is stored under its
  page's own type (``Page.content_type``): one probe;
- it matches ``title || body``, a new vector built for every row, where for a
  query without a negation "the title matches or the body matches" is the same
  answer in all but one case (the words split between the two), which the
  concatenation still decides;
- it returns that concatenated vector with every row.

With ``SEARCH_CONFIG`` set (settings), the query is ``to_tsquery(config, ...)``,
which PostgreSQL computes once; without it, once per row and per rank.
"""

from django.contrib.postgres.search import SearchVectorExact
from django.db import connection
from django.db.models import F, Q
from modelsearch.backends.database.postgres.postgres import (
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from modelsearch.query import Phrase, PlainText
from wagtail.models import Page
from wagtail.search.backends.database import SearchBackend as database_backend


def SearchBackend(params):
    if connection.vendor == "postgresql":
        return ClinicPostgresSearchBackend(params)
    return database_backend(params)


# Queries that match a page whenever its title or its body alone does (no
# negation), so the cheap test may answer before the concatenation.
MONOTONE_QUERIES = (PlainText, Phrase)


class ClinicPostgresSearchQueryCompiler(PostgresSearchQueryCompiler):
    def search(self, config, start, stop, score_field=None, backend=None):
        if not isinstance(self.query, MONOTONE_QUERIES) or self.fields is not None:
            return super().search(config, start, stop, score_field, backend)
        search_query = self.build_tsquery(self.query, config=config)
        if search_query is None:
            return super().search(config, start, stop, score_field, backend)
        title, body = F("index_entries__title"), F("index_entries__body")
        rank = self._build_rank_expression(self.get_index_vectors(search_query), config)
        matches = (
            Q(index_entries__body=search_query)
            | Q(index_entries__title=search_query)
            | SearchVectorExact(title._combine(body, "||", False), search_query)
        )
        if issubclass(self.queryset.model, Page):
            matches &= Q(index_entries__content_type=F("content_type"))
        # One filter() call, so that all of it and the rank use one join.
        queryset = self.queryset.filter(matches)
        return self._apply_ordering_and_scoring(
            queryset, rank, start, stop, score_field
        )


class ClinicPostgresSearchBackend(PostgresSearchBackend):
    query_compiler_class = ClinicPostgresSearchQueryCompiler
