"""A page cache for anonymous visitors, invalidated page by page.

Why our own: wagtail-cache (the maintained Wagtail page cache) supports
Wagtail < 8 only and clears the whole cache on every publish; Django's
per-site cache middleware cannot tell a Wagtail page from any other view, nor
invalidate one page. Here:

* Only pages Wagtail serves are stored (``revalidation.mark_page``),
  GET only, status 200, with no ``Set-Cookie``, no private/no-store
  ``Cache-Control``, no view restriction, and only when the Host is exactly
  the page's own Site's canonical host (``hostname`` or ``hostname:port``)
  and no other Site shares its hostname. A page is kept under its clinic's
  canonical address, so its keys are known and can be deleted, and a page
  rendered for another spelling of the host (another port, upper case) is
  never stored to be served to others.
* A request carrying a session or messages cookie, an ``Authorization``
  header or a query string is never answered from the cache: a logged-in
  editor always sees the live site.
* Keys are scheme, canonical host and path. Whatever changes what visitors
  see (``clinics.content_changes``: a publish, a move, a view restriction,
  a clinic's settings) deletes exactly the keys of the pages it affects.
* On Redis, each process answers hits from its own copy of the pages it has
  read, which Redis keeps true by telling it of every change to their keys
  (``clinics.tracked_copy``): no round trip on a hit, and a page published
  on one node is not served stale by another.
* A CSP nonce (django-csp) in a stored page is replaced by a fresh one on
  every hit, so no two answers share a nonce.

``X-Cache: HIT``, ``MISS`` or ``BYPASS`` on page responses shows what
happened. ``PAGE_CACHE_SECONDS = 0`` turns the cache off.
"""

import functools
import hashlib
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re, get_conditional_response
from django.utils.http import parse_http_date_safe
from wagtail.models import Page, Site

from .content_changes import content_changed
from .revalidation import release, served_page
from .tracked_copy import UNKNOWN, TrackedCopy

HEADER = "X-Cache"
KEY_PREFIX = "page-cache"
# Replaces the request's CSP nonce in stored HTML; a fresh one goes in on a hit.
NONCE_PLACEHOLDER = b"__clinic_page_cache_nonce__"
BYPASS_COOKIES = ("messages",)
# Vary values that are safe with the bypass rules above.
HARMLESS_VARY = {"cookie", "accept-encoding"}
# Response headers that are per-request and must not be replayed.
UNSTORED_HEADERS = {"set-cookie", "content-security-policy", "date"}
# What makes Django's get_conditional_response answer other than 200.
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def timeout():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def tracked_copy(backend):
    """This process's copy of the stored pages when the page cache
    (``backend``) is on Redis and the copy is on, else None."""
    entries = getattr(settings, "PAGE_CACHE_COPY_ENTRIES", 0)
    if entries <= 0 or not isinstance(backend, RedisCache):
        return None
    location = settings.CACHES[getattr(settings, "PAGE_CACHE_ALIAS", "default")][
        "LOCATION"
    ]
    # Django writes to the first server of a list (the rest are replicas):
    # the changes to track are made there.
    if isinstance(location, str):
        location = re.split("[;,]", location)
    return _tracked_copy(
        location[0], entries, getattr(settings, "PAGE_CACHE_COPY_SECONDS", 10)
    )


@functools.lru_cache(maxsize=8)
def _tracked_copy(url, max_entries, max_age):
    # Django's RedisCache stores values with this serializer (none is
    # configured in OPTIONS).
    return TrackedCopy(
        url, loads=RedisSerializer().loads, max_entries=max_entries, max_age=max_age
    )


def stored_page(key):
    """What the page cache holds under ``key``, or None: from this process's
    tracked copy where there is one, else from the shared cache."""
    backend = cache()
    copy = tracked_copy(backend)
    if copy is not None:
        # Our keys are a digest and a host: nothing to validate.
        stored = copy.get(backend.make_key(key))
        if stored is not UNKNOWN:
            return stored
    return backend.get(key)


def make_key(scheme, host, path):
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"{KEY_PREFIX}:{scheme}:{host}:{digest}"


def request_key(request):
    # The Host exactly as sent: only the canonical spelling is ever stored,
    # so any other spelling simply misses.
    return make_key(request.scheme, request._get_raw_host(), request.path)


def canonical_host(hostname, port):
    """How a Site's address is written in a Host header."""
    return hostname if port in (80, 443) else f"{hostname}:{port}"


@functools.lru_cache(maxsize=4096)
def _routes_to_wagtail(urlconf, path_info):
    try:
        return resolve(path_info, urlconf).url_name == "wagtail_serve"
    except Resolver404:
        return False


def routes_to_pages(request):
    """Whether Wagtail's serve view answers this path. Only its pages are ever
    stored, so any other route (the API, the admin, static files, a form
    handler) skips the cache lookup: a round trip to the shared cache that
    could never hit. Remembered per path (bounded), as resolving costs about
    as much as the rest of a small view's middleware."""
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    return _routes_to_wagtail(urlconf, request.path_info)


def bypasses(request):
    """Why this request must not be answered from the cache, or None."""
    if request.method not in ("GET", "HEAD"):
        return "method"
    if not routes_to_pages(request):
        return "route"
    if settings.SESSION_COOKIE_NAME in request.COOKIES or any(
        name in request.COOKIES for name in BYPASS_COOKIES
    ):
        return "session"
    if "HTTP_AUTHORIZATION" in request.META:
        return "authorization"
    if request.META.get("QUERY_STRING"):
        return "query"
    return None


def storable(request, response):
    page = served_page(request)
    if page is None or request.method != "GET" or response.status_code != 200:
        return False
    if response.streaming or response.cookies:
        return False
    cache_control = {
        part.strip().split("=")[0].lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", ""))}
    if vary - HARMLESS_VARY - {""}:
        return False
    # Only under the canonical host of the page's own Site, and only if no
    # other Site shares its hostname: then a Site's keys are known.
    site = getattr(request, "_wagtail_site", None)
    if site is None:
        return False
    if request._get_raw_host() != canonical_host(site.hostname, site.port):
        return False
    hostname = split_domain_port(request._get_raw_host())[0]
    if [host for _, host, _ in site_hosts()].count(hostname) != 1:
        return False
    # Private pages (password, login or group restricted) are never stored,
    # whatever their response looks like.
    return not page.get_view_restrictions().exists()


class PageCacheMiddleware:
    """Place after SecurityMiddleware, CSP and WhiteNoise, before sessions:
    a hit then skips the session, CSRF, auth and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if timeout() <= 0:
            return self.get_response(request)
        reason = bypasses(request)
        key = None if reason else request_key(request)
        if key is not None:
            stored = stored_page(key)
            # A page stored by another release of the code is rendered anew
            # (keys stay the same, so every release's publishes forget it).
            if stored is not None and stored[2] == release():
                return self.not_modified(request, stored) or self.replay(
                    request, stored
                )
        response = self.get_response(request)
        if served_page(request) is None:
            return response
        if key is not None and storable(request, response):
            cache().set(key, self.freeze(request, response), timeout())
            response[HEADER] = "MISS"
        else:
            response[HEADER] = "BYPASS"
        return response

    @staticmethod
    def freeze(request, response):
        content = response.content
        nonce = getattr(request, "_csp_nonce", None)
        if isinstance(nonce, str) and nonce:
            content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in UNSTORED_HEADERS
        ]
        return (content, headers, release())

    @staticmethod
    def not_modified(request, stored):
        """A 304 from the stored page's own validators, or None."""
        # Most hits carry no condition: skip parsing the stored validators.
        if not any(name in request.META for name in CONDITIONAL_HEADERS):
            return None
        headers = {name.lower(): (name, value) for name, value in stored[1]}
        if "etag" not in headers:
            return None
        last_modified = headers.get("last-modified", (None, None))[1]
        response = get_conditional_response(
            request,
            etag=headers["etag"][1],
            last_modified=last_modified and parse_http_date_safe(last_modified),
        )
        if response is not None:
            for name in ("etag", "last-modified", "cache-control", "vary"):
                if name in headers:
                    response[headers[name][0]] = headers[name][1]
            response[HEADER] = "HIT"
        return response

    @staticmethod
    def replay(request, stored):
        content, headers, _ = stored
        if NONCE_PLACEHOLDER in content:
            # Reading csp_nonce makes django-csp put it in this response's
            # header.
            content = content.replace(
                NONCE_PLACEHOLDER, str(request.csp_nonce).encode()
            )
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "HIT"
        return response


# Invalidation


def site_hosts():
    """(site root path, hostname, canonical host) of every Site, from
    Wagtail's cached site root paths (no query when the cache is warm)."""
    hosts = []
    for root in Site.get_site_root_paths():
        parts = urlsplit(root.root_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        hosts.append(
            (root.root_path, parts.hostname, canonical_host(parts.hostname, port))
        )
    return hosts


def keys_for_url_paths(url_paths):
    keys = []
    for url_path in url_paths:
        for root_path, _, host in site_hosts():
            if url_path.startswith(root_path):
                path = "/" + url_path[len(root_path) :]
                # Behind a TLS proxy the same page is also stored as https.
                keys += [make_key(scheme, host, path) for scheme in ("http", "https")]
    return keys


def keys_for_site(site):
    """Every page of one clinic (its settings show on all of them)."""
    root = site.root_page
    paths = Page.objects.descendant_of(root, inclusive=True).values_list(
        "url_path", flat=True
    )
    host = canonical_host(site.hostname, site.port)
    return [
        make_key(scheme, host, "/" + path[len(root.url_path) :])
        for path in paths
        for scheme in ("http", "https")
    ]


def forget(sender, change, **kwargs):
    """``content_changed`` receiver: delete the keys of what changed."""
    keys = keys_for_url_paths(change.url_paths)
    for site in Site.objects.filter(pk__in=change.site_ids).select_related("root_page"):
        keys += keys_for_site(site)
    if keys:
        cache().delete_many(keys)


content_changed.connect(forget, dispatch_uid="page_cache_forget")
