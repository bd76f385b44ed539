"""A short-lived cache of search results, emptied whenever what search can
find changes (``clinics.content_changes``).

Ranking a clinic's pages for a query is most of a search's cost (tens of
milliseconds on a clinic with hundreds of long pages), and visitors ask the
same few questions. Results are the same for every visitor (live, public
pages only), so the ranked ids of each (site, query, results page) are kept
until anything is published, unpublished, moved, deleted or restricted
anywhere: a single generation number in the shared cache changes, and every
older entry is simply never read again and expires.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django_tasks.signals import task_finished

from clinics.content_changes import content_changed

GENERATION_KEY = "search-results-generation"


def new_generation():
    # A clock reading, not 0: if the shared cache ever drops the generation,
    # the fresh one must not match entries stored under an earlier one.
    return time.time_ns()


def results_key(site, query, number):
    generation = cache.get_or_set(GENERATION_KEY, new_generation, timeout=None)
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"search-results:{generation}:{site.pk}:{digest}:{number}"


def get(site, query, number):
    if not settings.SEARCH_RESULTS_CACHE_SECONDS:
        return None
    return cache.get(results_key(site, query, number))


def put(site, query, number, value):
    if settings.SEARCH_RESULTS_CACHE_SECONDS:
        cache.set(
            results_key(site, query, number),
            value,
            settings.SEARCH_RESULTS_CACHE_SECONDS,
        )


def forget_all(sender, change, **kwargs):
    """``content_changed`` receiver: a page changed somewhere, so any stored
    result may be stale (a clinic's settings alone change no result)."""
    if change.url_paths:
        new_results_generation()


def new_results_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted: any new value will do
        cache.set(GENERATION_KEY, new_generation(), timeout=None)


# Wagtail updates the search index in a task: with a worker, after the
# publish, so results stored in between are stale once it has run.
INDEX_UPDATE_TASK = "modelsearch.tasks.insert_or_update_object_task"


def forget_after_indexing(sender, task_result, **kwargs):
    if task_result.task.module_path == INDEX_UPDATE_TASK:
        new_results_generation()


def connect():
    content_changed.connect(forget_all, dispatch_uid="search_results_cache")
    task_finished.connect(
        forget_after_indexing, dispatch_uid="search_results_cache_indexed"
    )
