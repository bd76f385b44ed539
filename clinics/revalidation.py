"""HTTP revalidation: ETag and Last-Modified without rendering.

A page or an API answer shows content of one clinic, and whatever changes it
is already announced as a ``content_changed`` (clinics.content_changes): the
same announcements that empty the page cache. Each announcement gives what it
touched a new *generation* (a random token and the second it happened, kept
in the shared cache with no expiry):

- ``page:<url_path>`` for every page whose rendering changed;
- ``clinic-wide:<site>`` when all of a clinic's pages changed (its settings,
  its Site, a section in the menu);
- ``clinic:<site>`` on any change in the clinic, for the API, whose listings
  and filters may show any of its pages.

A validator is a hash of the generations a response depends on, the code
release and the exact URL asked (scheme, host, path and query), so it is
known before anything is rendered or serialised: a matching
``If-None-Match`` (or ``If-Modified-Since``) is answered 304 at once. A
generation that is missing from the cache (evicted, a new clinic) is created
fresh, which can only turn a would-be 304 into a 200, never the reverse.

Only anonymous public answers get validators and ``Cache-Control: public``;
responses for a logged-in user, a token or a members-only page are private.
"""

import hashlib
import math
import secrets
import time
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from wagtail.models import Site

from .content_changes import content_changed

KEY_PREFIX = "content-generation"
PRODUCT_APPS = (
    "clinics",
    "home",
    "treatments",
    "search",
    "appointments",
    "webhooks",
    "templates",
)


def cache_backend():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


@cache
def release():
    """What the code is: ``RELEASE_ID`` from the environment (a deployment's
    commit, say), else a hash of the product's templates and Python, so a
    new version of the code never answers 304 to a copy an old one made."""
    configured = getattr(settings, "RELEASE_ID", "")
    if configured:
        return configured
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for app in PRODUCT_APPS:
        for path in sorted((base / app).rglob("*")):
            if path.suffix in (".py", ".html", ".txt") and path.is_file():
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(kind, name):
    name = str(name)
    if kind == "page":
        name = hashlib.sha256(name.encode()).hexdigest()
    return f"{KEY_PREFIX}:{kind}:{name}"


def _new_generation():
    # The stamp is the next whole second: an answer made in the second of a
    # change already carries the later Last-Modified.
    return (math.floor(time.time()) + 1, secrets.token_hex(8))


def generations(keys):
    """Each key's (stamp, token), creating the missing ones."""
    backend = cache_backend()
    found = backend.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            backend.add(key, _new_generation(), None)
        found.update(backend.get_many(missing))
    return [found.get(key) or _new_generation() for key in keys]


def bump(sender, change, **kwargs):
    """``content_changed`` receiver: a new generation for what changed."""
    keys = [_key("page", path) for path in change.url_paths]
    keys += [_key("clinic-wide", site_id) for site_id in change.site_ids]
    clinics = set(change.site_ids)
    for root in Site.get_site_root_paths():
        if any(path.startswith(root.root_path) for path in change.url_paths):
            clinics.add(root.site_id)
    keys += [_key("clinic", site_id) for site_id in clinics]
    if keys:
        cache_backend().set_many({key: _new_generation() for key in keys}, None)


content_changed.connect(bump, dispatch_uid="revalidation_bump")


class Validators:
    """The ETag and Last-Modified of one anonymous answer."""

    def __init__(self, request, keys):
        found = generations(keys)
        content = hashlib.sha256(release().encode())
        for _, token in found:
            content.update(token.encode())
        # What the answer shows, whatever URL asked for it (fragment_key).
        self.content_key = content.hexdigest()[:32]
        digest = hashlib.sha256(release().encode())
        digest.update(request.build_absolute_uri().encode())
        for _, token in found:
            digest.update(token.encode())
        # Weak: a page's bytes differ in their CSP nonce from one answer to
        # the next, while what they show is the same.
        self.etag = f'W/"{digest.hexdigest()[:32]}"'
        stamp = max(stamp for stamp, _ in found)
        # Only once its second is over can no later change share the stamp.
        self.last_modified = stamp if stamp <= math.floor(time.time()) else None

    def not_modified(self, request):
        """The 304 (or 412) this request's conditions call for, or None."""
        response = get_conditional_response(
            request, etag=self.etag, last_modified=self.last_modified
        )
        if response is not None:
            self.apply(response)
        return response

    def apply(self, response, max_age=0):
        response["ETag"] = self.etag
        if self.last_modified is not None:
            response["Last-Modified"] = http_date(self.last_modified)
        elif "Last-Modified" in response:
            del response["Last-Modified"]
        patch_cache_control(response, public=True, max_age=max_age)


def for_page(request, page, site):
    return Validators(
        request, [_key("clinic-wide", site.pk), _key("page", page.url_path)]
    )


def for_clinic(request, site):
    return Validators(request, [_key("clinic", site.pk)])


# Pages


def anonymous(request):
    """A request that may get a public answer: no session, no token."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def mark_page(page, request, serve_args, serve_kwargs):
    """``before_serve_page`` hook, first of all (before Wagtail's view
    restrictions): this answer is a Wagtail page, for the page cache and for
    the headers below."""
    request._clinic_page = page


def served_page(request):
    """The Wagtail page this request is answered with, or None."""
    return getattr(request, "_clinic_page", None)


def answer_unchanged_page(page, request, serve_args, serve_kwargs):
    """``before_serve_page`` hook, after Wagtail's view restrictions (a
    members-only page never gets here for a visitor without access): a 304
    before the page is rendered."""
    if not anonymous(request):
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    request._clinic_validators = for_page(request, page, site)
    return request._clinic_validators.not_modified(request)


# How long an unused fragment stays; a change never waits for it (new key).
FRAGMENT_SECONDS = 24 * 3600


def mark_api_detail(request, page):
    """This API answer is about one page (a detail of the pages endpoints):
    where it is anonymous (``headless_view`` made its validators), its parts
    (the body as JSON, the JSON-LD) may be kept as a served page's are."""
    request._clinic_api_detail = page


def fragment_key(request, page, name):
    """A cache key for a part of an anonymous page answer (its rendered body,
    its JSON-LD; in an API detail, their JSON) that changes whenever the
    answer's validators do: when anything it shows is published, moved,
    restricted or edited, or the code is released. So nothing needs to find
    and delete it; an old key simply expires. None where no validators were
    made (a logged-in viewer, a token, a preview, a private page) or the
    page is not the one the answer is about (a listing), which must not be
    cached."""
    validators = getattr(request, "_clinic_validators", None)
    subject = served_page(request) or getattr(request, "_clinic_api_detail", None)
    if validators is None or subject is None or subject.pk != page.pk:
        return None
    from django.utils.translation import get_language

    return (
        f"page-fragment:{name}:{page.pk}:{get_language()}:"
        f"{request.scheme}:{request._get_raw_host()}:{validators.content_key}"
    )


def prefetch_fragments(request, page, names):
    """Read several of the page's fragments in one round trip, for
    ``cached_fragment`` to find; returns those found, by name."""
    keys = {name: fragment_key(request, page, name) for name in names}
    keys = {name: key for name, key in keys.items() if key is not None}
    if not keys:
        return {}
    found = cache_backend().get_many(list(keys.values()))
    request._clinic_fragments = {name: found.get(key) for name, key in keys.items()}
    return {name: value for name, value in request._clinic_fragments.items() if value}


def cached_fragment(request, page, name, render):
    """``render()``, kept under ``fragment_key`` where there is one."""
    key = fragment_key(request, page, name)
    if key is None:
        return render()
    backend = cache_backend()
    prefetched = getattr(request, "_clinic_fragments", {})
    found = prefetched[name] if name in prefetched else backend.get(key)
    if found is None:
        found = render()
        backend.set(key, found, FRAGMENT_SECONDS)
    return found


def cdn_seconds():
    # A CDN may keep a page only where publishing purges it.
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return getattr(settings, "PAGE_CACHE_SECONDS", 0)
    return 0


def finish_page_response(request, response):
    """Public with validators, or private: every Wagtail page answer says
    what a shared cache may do with it."""
    if served_page(request) is None:
        return response
    validators = getattr(request, "_clinic_validators", None)
    if response.status_code == 304:
        return response  # answered by the validators, headers set
    cache_control = response.get("Cache-Control", "").lower()
    public = (
        validators is not None
        and response.status_code == 200
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-"))
    )
    if public:
        validators.apply(response)
        patch_cache_control(response, must_revalidate=True)
        if cdn_seconds():
            patch_cache_control(response, s_maxage=cdn_seconds())
    elif response.status_code < 500:
        patch_cache_control(response, private=True)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_cache=True)
    return response


class RevalidationMiddleware:
    """Inside the page cache (which then keeps the validators with a page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return finish_page_response(request, self.get_response(request))
