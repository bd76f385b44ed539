"""A page cache for anonymous visitors, invalidated page by page.

Why our own: wagtail-cache (the maintained Wagtail page cache) supports
Wagtail < 8 only and clears the whole cache on every publish; Django's
per-site cache middleware cannot tell a Wagtail page from any other view, nor
invalidate one page. Here:

* Only pages Wagtail serves are stored (``before_serve_page`` marks them),
  GET only, status 200, with no ``Set-Cookie``, no private/no-store
  ``Cache-Control``, no view restriction, and only when the Host is the
  hostname of the page's own Site and of no other (so a Site's keys are
  known and can be deleted).
* A request carrying a session or messages cookie, an ``Authorization``
  header or a query string is never answered from the cache: a logged-in
  editor always sees the live site.
* Keys are scheme, hostname and path. Publishing, unpublishing, moving or
  deleting a page deletes the keys of the page, its descendants when its URL
  changed, its ancestors (the listings that show it) and the pages that link
  to it (Wagtail's reference index). Saving a clinic's settings deletes that
  clinic's pages only.
* A CSP nonce (django-csp) in a stored page is replaced by a fresh one on
  every hit, so no two answers share a nonce.

``X-Cache: HIT``, ``MISS`` or ``BYPASS`` on page responses shows what
happened. ``PAGE_CACHE_SECONDS = 0`` turns the cache off.
"""

import hashlib
from urllib.parse import urlsplit

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import cc_delim_re
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
)

HEADER = "X-Cache"
KEY_PREFIX = "page-cache"
# Replaces the request's CSP nonce in stored HTML; a fresh one goes in on a hit.
NONCE_PLACEHOLDER = b"__clinic_page_cache_nonce__"
BYPASS_COOKIES = ("messages",)
# Vary values that are safe with the bypass rules above.
HARMLESS_VARY = {"cookie", "accept-encoding"}
# Response headers that are per-request and must not be replayed.
UNSTORED_HEADERS = {"set-cookie", "content-security-policy", "date"}


def timeout():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def make_key(scheme, hostname, path):
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"{KEY_PREFIX}:{scheme}:{hostname.lower()}:{digest}"


def request_hostname(request):
    return split_domain_port(request._get_raw_host())[0].lower()


def request_key(request):
    return make_key(request.scheme, request_hostname(request), request.path)


def bypasses(request):
    """Why this request must not be answered from the cache, or None."""
    if request.method not in ("GET", "HEAD"):
        return "method"
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
    page = getattr(request, "_page_cache_page", None)
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
    # Only under the hostname of the page's own Site, and only if no other
    # Site shares it: then the keys of a Site are known from its hostname.
    site = getattr(request, "_wagtail_site", None)
    hostname = request_hostname(request)
    if site is None or site.hostname.lower() != hostname:
        return False
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
            stored = cache().get(key)
            if stored is not None:
                return self.replay(request, stored)
        response = self.get_response(request)
        if getattr(request, "_page_cache_page", None) is None:
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
        return (content, headers)

    @staticmethod
    def replay(request, stored):
        content, headers = stored
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


def mark_page(page, request, serve_args, serve_kwargs):
    """``before_serve_page`` hook: this response is a Wagtail page."""
    request._page_cache_page = page


# Invalidation


def site_hosts():
    """(site_root_path, scheme, hostname, port) of every Site, from Wagtail's
    cached site root paths (no query when the cache is warm)."""
    from wagtail.models import Site

    hosts = []
    for root in Site.get_site_root_paths():
        parts = urlsplit(root.root_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        hosts.append((root.root_path, parts.hostname.lower(), port))
    return hosts


def keys_for_url_paths(url_paths):
    keys = []
    for url_path in url_paths:
        for root_path, hostname, _ in site_hosts():
            if url_path.startswith(root_path):
                path = "/" + url_path[len(root_path) :]
                # Behind a TLS proxy the same page is also stored as https.
                keys += [
                    make_key(scheme, hostname, path) for scheme in ("http", "https")
                ]
    return keys


def delete_keys(keys):
    """Delete now, and again when the transaction commits: a request served
    in between may have stored the old content again."""
    if not keys:
        return
    cache().delete_many(keys)
    transaction.on_commit(lambda: cache().delete_many(keys))


def purge_url_paths(url_paths):
    delete_keys(keys_for_url_paths(set(url_paths)))


def affected_url_paths(page, with_descendants=False):
    """The page, its ancestors (their listings show it) and the pages linking
    to it; with its descendants when its URL changed."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast
    from wagtail.models import Page, ReferenceIndex

    # The ancestors' URL paths are the prefixes of the page's own.
    parts = page.url_path.strip("/").split("/")
    paths = ["/" + "".join(f"{p}/" for p in parts[:i]) for i in range(len(parts) + 1)]
    if with_descendants:
        paths += page.get_descendants().values_list("url_path", flat=True)
    linking = (
        ReferenceIndex.get_references_to(page)
        .filter(base_content_type=ReferenceIndex._get_base_content_type(Page))
        .annotate(page_id=Cast("object_id", BigIntegerField()))
        .values("page_id")
    )
    paths += Page.objects.filter(pk__in=linking).values_list("url_path", flat=True)
    return paths


def purge_page(page, with_descendants=False):
    purge_url_paths(affected_url_paths(page, with_descendants))


def on_published(sender, instance, **kwargs):
    purge_page(instance)


def on_unpublished(sender, instance, **kwargs):
    purge_page(instance, with_descendants=True)


def on_slug_changed(sender, instance, instance_before, **kwargs):
    # The old URLs of the page and its descendants, and the new ones.
    old, new = instance_before.url_path, instance.url_path
    descendants = list(instance.get_descendants().values_list("url_path", flat=True))
    paths = [old, *(old + path[len(new) :] for path in descendants)]
    purge_url_paths(paths)
    purge_page(instance, with_descendants=True)


def on_moved(sender, instance, parent_page_before, url_path_before, **kwargs):
    descendants = list(instance.get_descendants().values_list("url_path", flat=True))
    new = instance.url_path
    paths = [url_path_before, *(url_path_before + p[len(new) :] for p in descendants)]
    paths += [a.url_path for a in parent_page_before.get_ancestors(inclusive=True)]
    purge_url_paths(paths)
    purge_page(instance, with_descendants=True)


def on_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page) and type(instance) is not Page:
        purge_page(instance)


def purge_site(site):
    """Every page of one clinic (its settings show on all of them)."""
    from wagtail.models import Page

    root = site.root_page
    paths = Page.objects.descendant_of(root, inclusive=True).values_list(
        "url_path", flat=True
    )
    keys = []
    for path in paths:
        relative = "/" + path[len(root.url_path) :]
        keys += [
            make_key(scheme, site.hostname, relative) for scheme in ("http", "https")
        ]
    delete_keys(keys)


def on_settings_saved(sender, instance, **kwargs):
    purge_site(instance.site)


class PageCacheConfig(AppConfig):
    """Connects the invalidation in every process (web workers, and commands
    such as publish_scheduled), not only where the middleware runs."""

    name = "cms"
    label = "page_cache"
    verbose_name = "Page cache"

    def ready(self):
        from wagtail import hooks
        from wagtail.contrib.settings.models import BaseSiteSetting

        hooks.register("before_serve_page", mark_page)
        connect([m for m in apps.get_models() if issubclass(m, BaseSiteSetting)])


def connect(settings_models):
    page_published.connect(on_published, dispatch_uid="page_cache_published")
    page_unpublished.connect(on_unpublished, dispatch_uid="page_cache_unpublished")
    page_slug_changed.connect(on_slug_changed, dispatch_uid="page_cache_slug")
    post_page_move.connect(on_moved, dispatch_uid="page_cache_moved")
    pre_delete.connect(on_deleted, dispatch_uid="page_cache_deleted")
    for model in settings_models:
        post_save.connect(
            on_settings_saved, sender=model, dispatch_uid=f"page_cache_{model}"
        )
        pre_delete.connect(
            on_settings_saved, sender=model, dispatch_uid=f"page_cache_del_{model}"
        )
