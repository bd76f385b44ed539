"""Reads from a PostgreSQL read replica only where a stale answer is harmless.

A streaming replica lags the primary by a moment. Anonymous visitors reading
public pages don't notice; an editor who just saved would see their change
missing. So the replica serves a request only when the middleware judged it an
anonymous read: a safe method, outside the admin, with no ``Authorization``
header, no session cookie (a logged-in user has one; judged without a
database query) and no recent-write cookie. Any unsafe request sets that
cookie for ``DATABASE_REPLICA_STICKY_SECONDS``, so the client's next requests
read the primary (read-your-writes). Everything else (writes, transactions,
management commands, the task worker: anything outside a request) uses the
primary.

For as long again after any content change (a publish, a clinic's settings,
its Site), every request reads the primary: the caches emptied by the change
(pages, search results, Wagtail's site root paths) are refilled by the next
visitor, and refilled from a replica that has not caught up they would keep
the old content until they expire. So would a headless front-end fetching the
page its publish webhook names.

Wired by cms/settings/read_replica.py when ``DATABASE_REPLICA_URL`` is set:
``DATABASE_REPLICA_ALIAS`` names the replica's connection.
"""

import logging
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

from .content_changes import content_changed

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Editors work here; what they read must be what they just wrote.
PRIMARY_PATH_PREFIXES = ("/admin/", "/django-admin/")
STICKY_COOKIE = "cms_primary"
DEFAULT_STICKY_SECONDS = 10
# In the shared cache, so every process and machine sees a change at once.
CHANGED_KEY = "read-replica:content-changed"


class _Judgement:
    """This request's: may it read the replica? The shared cache is asked
    only when it first reads (a page cache hit never does)."""

    def __init__(self, anonymous):
        self.anonymous = anonymous
        self.no_recent_change = None


# None outside requests, so commands and the worker read the primary.
_judgement = ContextVar("clinic_read_replica_judgement", default=None)


def replica_alias():
    return getattr(settings, "DATABASE_REPLICA_ALIAS", None)


def sticky_seconds():
    return getattr(settings, "DATABASE_REPLICA_STICKY_SECONDS", DEFAULT_STICKY_SECONDS)


def is_anonymous_read(request):
    """Whether a moment-old answer is fine for this request."""
    return (
        request.method in SAFE_METHODS
        and not request.path_info.startswith(PRIMARY_PATH_PREFIXES)
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and STICKY_COOKIE not in request.COOKIES
    )


def content_changed_recently():
    try:
        return cache.get(CHANGED_KEY) is not None
    except Exception:
        logger.warning("Cache unavailable; reading the primary", exc_info=True)
        return True


def note_content_change(sender, change, **kwargs):
    """``content_changed`` receiver (told at the change and at its commit)."""
    if replica_alias():
        cache.set(CHANGED_KEY, 1, timeout=sticky_seconds())


content_changed.connect(note_content_change, dispatch_uid="read_replica_changes")


class ReadReplicaMiddleware:
    """Judges each request once, before anything below reads the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _judgement.set(_Judgement(is_anonymous_read(request)))
        try:
            response = self.get_response(request)
        finally:
            # A token, not set(None): the value before this request comes back.
            _judgement.reset(token)
        if request.method not in SAFE_METHODS:
            # Whether or not it succeeded, the client may have written.
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=sticky_seconds(),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = replica_alias()
        judgement = _judgement.get()
        # Inside a transaction on the primary, reads must see its own writes
        # (and select_for_update must lock the primary's rows).
        if (
            not alias
            or judgement is None
            or not judgement.anonymous
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if judgement.no_recent_change is None:
            judgement.no_recent_change = not content_changed_recently()
        return alias if judgement.no_recent_change else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Same data on both: an object read from the replica may be related
        # to one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is read-only; it gets the schema by replication.
        return db == DEFAULT_DB_ALIAS
