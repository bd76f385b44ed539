"""The shared cache, with what every request reads remembered for the request.

Wagtail reads its site root paths from the cache each time it builds a URL
without a request (every rich-text link, every API ``html_url``): on Redis
that is a round trip and an unpickling per link, so a listing of twenty
pages costs a hundred GETs. Passing the request down is not possible where
Wagtail builds those URLs, so the backends here remember the few keys named
in ``OPTIONS["REQUEST_MEMO_KEYS"]`` (a name ending in ``*`` names every key
that begins with it) for the rest of the request they were
first read in (a context variable set when a request starts and dropped when
it finishes; outside a request, in the worker or a command, nothing is
remembered). A write or delete of such a key through this process forgets it
at once; another process's write is seen from the next request, as before.
"""

import contextvars

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.signals import request_finished, request_started

# (alias-specific full key) -> value, for the current request; None outside.
_memo = contextvars.ContextVar("clinic_cache_memo", default=None)
_MISSING = object()


def _start(**kwargs):
    _memo.set({})


def _finish(**kwargs):
    _memo.set(None)


request_started.connect(_start, dispatch_uid="clinic_cache_memo_start")
request_finished.connect(_finish, dispatch_uid="clinic_cache_memo_finish")


class RequestMemoMixin:
    def __init__(self, location, params):
        options = dict(params.get("OPTIONS") or {})
        names = options.pop("REQUEST_MEMO_KEYS", ())
        self.memo_keys = frozenset(n for n in names if not n.endswith("*"))
        self.memo_prefixes = tuple(n[:-1] for n in names if n.endswith("*"))
        super().__init__(location, {**params, "OPTIONS": options})

    def _memo_key(self, key, version):
        if key not in self.memo_keys and not (
            self.memo_prefixes and key.startswith(self.memo_prefixes)
        ):
            return None
        return self.make_key(key, version)

    def get(self, key, default=None, version=None):
        memo = _memo.get()
        full_key = self._memo_key(key, version) if memo is not None else None
        if full_key is None:
            return super().get(key, default, version)
        value = memo.get(full_key, _MISSING)
        if value is _MISSING:
            value = super().get(key, _MISSING, version)
            if value is _MISSING:
                return default
            memo[full_key] = value
        return value

    def get_many(self, keys, version=None):
        memo = _memo.get()
        if memo is None:
            return super().get_many(keys, version)
        found, missing = {}, []
        for key in keys:
            full_key = self._memo_key(key, version)
            if full_key is not None and full_key in memo:
                found[key] = memo[full_key]
            else:
                missing.append(key)
        if missing:
            fetched = super().get_many(missing, version)
            for key, value in fetched.items():
                full_key = self._memo_key(key, version)
                if full_key is not None:
                    memo[full_key] = value
            found.update(fetched)
        return found

    def _forget(self, key, version):
        memo = _memo.get()
        full_key = self._memo_key(key, version) if memo is not None else None
        if full_key is not None:
            memo.pop(full_key, None)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(key, version)
        return super().set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(key, version)
        return super().add(key, value, timeout, version)

    def delete(self, key, version=None):
        self._forget(key, version)
        return super().delete(key, version)

    def delete_many(self, keys, version=None):
        for key in keys:
            self._forget(key, version)
        return super().delete_many(keys, version)

    def clear(self):
        memo = _memo.get()
        if memo is not None:
            memo.clear()
        return super().clear()


class ReusedRedisClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection
    pool. Django 5.2 builds a new one on every cache call, and redis-py's
    constructor fills a table of some 170 response callbacks each time: about
    0.15 ms of CPU per call, more than the round trip itself. A Redis client
    is only a handle on its pool, so one per pool is safe to share."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RequestMemoRedisCache(RequestMemoMixin, RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient


class RequestMemoFileBasedCache(RequestMemoMixin, FileBasedCache):
    pass


class RenditionCacheMixin:
    """Wagtail's rendition cache (the ``renditions`` alias), without writing
    back what it has just read.

    Wagtail 8.0's ``Image.get_renditions`` writes every rendition it found
    back to the cache unless it is marked ``_from_cache``, and it marks only
    prefetched ones, not those it read from the cache: each cache hit cost an
    MSET and an EXPIRE per rendition on top of the MGET. ``get_rendition``
    (the ``{% image %}`` tag) writes back even prefetched ones. Marking what
    is read here, and not writing what is marked, keeps a hit to the read.
    """

    def get_many(self, keys, version=None):
        found = super().get_many(keys, version)
        for rendition in found.values():
            rendition._from_cache = True
        return found

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if getattr(value, "_from_cache", False):
            return None
        return super().set(key, value, timeout, version)


class RenditionRedisCache(RenditionCacheMixin, RequestMemoRedisCache):
    pass


class RenditionFileBasedCache(RenditionCacheMixin, RequestMemoFileBasedCache):
    pass
