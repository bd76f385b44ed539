import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

# Production is base.py (Content-Security-Policy, login rate limiting, the
# 503 on a database outage, upload limits: shared so dev and tests exercise
# them) plus HTTPS, and it refuses to start half-configured.

DEBUG = False

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must list the clinics' hostnames (comma-separated)."
    )

if not APPOINTMENT_ENCRYPTION_KEYS:  # noqa: F405
    raise ImproperlyConfigured(
        "APPOINTMENT_ENCRYPTION_KEYS must be set: appointment requests are "
        "encrypted with it (a Fernet key; see README, Production)."
    )

STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
)

# HTTPS everywhere; behind a proxy that terminates TLS, it must set
# X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING["root"]["level"] = "INFO"  # noqa: F405

# A CDN in front (optional): Wagtail's frontend cache purges a page's URLs
# when it is published or unpublished. Off unless configured here.
FRONTEND_CACHE_PURGE_URL = os.environ.get("FRONTEND_CACHE_PURGE_URL", "")
CLOUDFLARE_API_TOKEN = os.environ.get("CLOUDFLARE_API_TOKEN", "")
WAGTAILFRONTENDCACHE = {}
if FRONTEND_CACHE_PURGE_URL:
    # Varnish, nginx or any proxy that accepts PURGE requests.
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": FRONTEND_CACHE_PURGE_URL,
    }
if CLOUDFLARE_API_TOKEN:
    if not os.environ.get("CLOUDFLARE_ZONE_ID"):
        raise ImproperlyConfigured(
            "CLOUDFLARE_ZONE_ID must be set with CLOUDFLARE_API_TOKEN."
        )
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": CLOUDFLARE_API_TOKEN,
        "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
    }
if WAGTAILFRONTENDCACHE:
    INSTALLED_APPS += ["wagtail.contrib.frontend_cache"]  # noqa: F405
