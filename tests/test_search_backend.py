"""The search backend (clinics/search_backend.py): on PostgreSQL a cheaper
ranked query that finds and orders exactly what Wagtail's own backend does."""

import itertools
import random

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend
from modelsearch.query import Not, Phrase, PlainText
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.database import SearchBackend as wagtail_database

from clinics.search_backend import ClinicPostgresSearchBackend
from treatments.models import TreatmentPage

from .helpers import make_treatment

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the cheaper compiler is PostgreSQL's; other databases keep Wagtail's",
)

WORDS = ["tendon", "shoulder", "knee", "collagen", "needle", "laser", "ankle"]


def paragraph(rng, count):
    return " ".join(rng.choice(WORDS) for _ in range(count))


@pytest.fixture
def corpus(clinic_sites):
    """Treatments in both clinics whose titles, summaries and bodies use the
    same few words in different amounts, so that ranks differ and many tie;
    one puts one word in its title and the other in its body only."""
    rng = random.Random(17)  # noqa: S311 (test data)
    for site in (clinic_sites.toronto, clinic_sites.kelowna):
        for number in range(12):
            make_treatment(
                site.index,
                title=f"{rng.choice(WORDS).title()} therapy {site.site.pk} {number}",
                summary=paragraph(rng, rng.randrange(1, 4)),
                body=[
                    {
                        "type": "rich_text",
                        "value": {
                            "heading": "About",
                            "body": f"<p>{paragraph(rng, rng.randrange(0, 30))}</p>",
                        },
                    }
                ],
            )
    make_treatment(
        clinic_sites.toronto.index,
        title="Cupping",
        summary="Suction cups",
        body=[
            {
                "type": "rich_text",
                "value": {"heading": "About", "body": "<p>Glass cups on the back</p>"},
            }
        ],
    )
    return clinic_sites


def queries():
    """Single words, pairs with either operator, a phrase, a negation, a
    word split between a title and a body, and words nothing has."""
    found = [PlainText(word) for word in WORDS]
    for first, second in itertools.combinations(WORDS, 2):
        found.append(PlainText(f"{first} {second}"))
        found.append(PlainText(f"{first} {second}", operator="or"))
    return [
        *found,
        Phrase("tendon knee"),
        Not(PlainText("tendon")),
        PlainText("cupping back"),
        PlainText("cupping shoulder"),
        PlainText("acupuncture"),
    ]


def ranked(backend, query, queryset):
    return [obj.pk for obj in backend.search(query, queryset)[:100]]


@on_postgresql
def test_the_backend_finds_and_ranks_what_wagtails_does(corpus):
    ours = get_search_backend()
    assert isinstance(ours, ClinicPostgresSearchBackend)
    params = settings.WAGTAILSEARCH_BACKENDS["default"]
    wagtails = PostgresSearchBackend(params)
    toronto = Page.objects.live().in_site(corpus.toronto.site)
    querysets = [
        Page.objects.all(),
        toronto,
        # The API searches a page type's own queryset.
        TreatmentPage.objects.live().descendant_of(corpus.kelowna.home),
    ]
    compared = 0
    for query, queryset in itertools.product(queries(), querysets):
        expected = ranked(wagtails, query, queryset)
        assert ranked(ours, query, queryset) == expected, (query, queryset.model)
        compared += bool(expected)
    # Most comparisons had results to compare, and the split query found its page.
    assert compared > len(queries()) * len(querysets) // 2
    cupping = TreatmentPage.objects.get(title="Cupping")
    assert ranked(ours, PlainText("cupping back"), toronto) == [cupping.pk]
    assert ranked(ours, PlainText("cupping shoulder"), toronto) == []


@on_postgresql
def test_other_models_are_searched_as_wagtail_does(corpus):
    Image = get_image_model()
    for title in ("Knee brace", "Shoulder model", "Knee and shoulder chart"):
        Image.objects.create(title=title, width=10, height=10, file="x.jpg")
    wagtails = PostgresSearchBackend(settings.WAGTAILSEARCH_BACKENDS["default"])
    for query in (PlainText("knee"), PlainText("knee shoulder", operator="or")):
        expected = ranked(wagtails, query, Image.objects.all())
        assert expected
        assert ranked(get_search_backend(), query, Image.objects.all()) == expected


@on_postgresql
def test_the_ranked_query_joins_each_page_once_and_parses_the_query_once(corpus):
    """What makes it cheaper: one join to the page's own index entry, a query
    parsed with a fixed configuration (so PostgreSQL does it once, not once
    per row), no concatenated vector sent back."""
    pages = Page.objects.live().in_site(corpus.toronto.site)
    with CaptureQueriesContext(connection) as captured:
        ranked(get_search_backend(), PlainText("tendon knee"), pages)
    (sql,) = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    assert sql.count('JOIN "wagtailsearch_indexentry"') == 1
    assert (
        '"wagtailsearch_indexentry"."content_type_id" = '
        '("wagtailcore_page"."content_type_id")'
    ) in sql
    assert "to_tsquery('english'::regconfig, " in sql
    assert "to_tsquery('(" not in sql
    select = sql.split(" FROM ", 1)[0]
    assert "||" not in select


def test_other_databases_keep_wagtails_backend(clinic_sites):
    backend = get_search_backend()
    if connection.vendor == "postgresql":
        assert type(backend) is ClinicPostgresSearchBackend
    else:
        params = settings.WAGTAILSEARCH_BACKENDS["default"]
        assert type(backend) is type(wagtail_database(params))
