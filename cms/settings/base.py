"""Settings shared by every environment.

dev.py, test.py and production.py only change what differs. Everything that
varies between machines comes from the environment (see README).
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_list(name, default=""):
    """A comma-separated environment variable as a list, blanks dropped."""
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The ground floor: the clinic boundary, content changes, page cache.
    "clinics",
    "home",
    "treatments",  # before the Wagtail apps: its ready() types the v3 API
    "search",
    "appointments",
    "webhooks",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Headless API: Wagtail's v3 app checks its settings; ninja serves the
    # interactive docs' JavaScript from our static files, not a CDN.
    "wagtail.api.v3",
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    # Django's task framework (a backport for Django 5.2) and its database queue
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp, its headers built once per process (clinics/csp.py).
    "clinics.csp.ClinicCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous page cache (clinics/page_cache.py): a hit skips everything below.
    "clinics.page_cache.PageCacheMiddleware",
    # ETag, Last-Modified and Cache-Control of every page answer, kept with it.
    "clinics.revalidation.RevalidationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's, with the storage built only when a message is read or added.
    "clinics.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A database outage answers 503 + Retry-After instead of a 500.
    "clinics.middleware.DatabaseUnavailableMiddleware",
    # The clinic of a page or API request, from the cached Sites, not a query
    # (inside the outage handler: reading them may be the first query).
    "clinics.middleware.ClinicSiteMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The request's clinic (its ClinicSettings) as ``clinic``.
                "clinics.identity.clinic_context",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# SQLite in the project folder unless DATABASE_URL says otherwise
# (production: postgres://user:pass@host:5432/name, through psycopg 3).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database is also shared by several processes (runserver,
    # the task worker, a manage.py command). SQLite's default deferred
    # transactions fail at once with "database is locked" when two of them
    # upgrade to writing; Django's documented remedy is IMMEDIATE
    # transactions with a busy timeout, and WAL lets reads go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process: Wagtail keeps the sites' root paths in
# it, we keep clinic settings and pages in it, and a change made by one
# process (a publish, `add_clinic`, saved settings) must be seen by all.
# Redis when REDIS_URL is set (several machines); otherwise files on this
# machine (CACHE_DIR), which every process of a one-machine install shares.
# A per-process memory cache would serve a new clinic's pages without its
# Site until each process restarted.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Read at most once per request (clinics/cache_backends.py): Wagtail's site
# root paths, read for every URL it builds without a request, and each
# clinic's settings (home.models.ClinicSettings), read by every page part.
REQUEST_MEMO_KEYS = [
    "wagtail_site_root_paths",
    "clinic-sites",
    "clinic-restricted-paths",
    "clinic-settings:*",
]
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "clinic-cms")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "clinics.cache_backends.RequestMemoRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"REQUEST_MEMO_KEYS": REQUEST_MEMO_KEYS},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "clinics.cache_backends.RequestMemoFileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / ".cache")),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 20_000, "REQUEST_MEMO_KEYS": REQUEST_MEMO_KEYS},
        }
    }
# Wagtail's rendition cache: the same store, through a backend that does not
# write back what it has just read (clinics/cache_backends.py).
CACHES["renditions"] = {
    **CACHES["default"],
    "BACKEND": {
        "clinics.cache_backends.RequestMemoRedisCache": (
            "clinics.cache_backends.RenditionRedisCache"
        ),
        "clinics.cache_backends.RequestMemoFileBasedCache": (
            "clinics.cache_backends.RenditionFileBasedCache"
        ),
    }[CACHES["default"]["BACKEND"]],
}

# django-axes first: it refuses a locked-out login before any password check.
# AxesBackend rather than AxesStandaloneBackend: Wagtail's WagtailPageTestCase
# force-logs-in with the first backend, which must be able to load a user.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock out a username from one address after five failures for 15 minutes.
# Per username *and* address, so one mistyping editor behind a clinic's shared
# address does not lock out colleagues, and nobody can lock out an editor from
# elsewhere. Behind reverse proxies set TRUSTED_PROXY_COUNT, or every visitor
# shares the proxy's address and this becomes per username.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Log each failure with username and address (axes always masks the password).
AXES_SENSITIVE_PARAMETERS = []
# How many reverse proxies (TLS terminator, load balancer) stand in front of
# the app; the visitor's address is read from X-Forwarded-For accordingly.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "clinics.client_address.client_address"
# Error reports of requests carrying health information hide every variable.
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinics.sensitive.SensitiveRequestReporterFilter"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-ca"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background work (Wagtail's index updates and file deletion, webhook
# deliveries, notifications, periodic tasks) goes through Django's task
# framework. Embedded default: run at once, in the process that asks (no
# worker needed). TASKS_BACKEND=database queues it in the database for
# `manage.py run_worker`, which also runs the periodic tasks (no cron).
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
# How often the worker's scheduler looks for periodic tasks that are due.
SCHEDULER_INTERVAL = float(os.environ.get("SCHEDULER_INTERVAL", "5"))
# Seconds a webhook endpoint has to answer one delivery.
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))
# Private networks webhook endpoints may still be in (comma-separated CIDR,
# e.g. a front-end on 10.0.0.0/8); every other non-public address is refused
# (webhooks/addresses.py).
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", "")
for _network in WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"WEBHOOK_ALLOWED_NETWORKS: {_network!r} is not a network such as 10.0.0.0/8"
        ) from None

# Complex treatment pages can exceed Django's default of 1000 form fields;
# the body of a request other than file uploads stays capped (5 MB leaves room
# for 10,000 fields of admin form; the proxy should cap bodies too).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Appointment requests are encrypted with these Fernet keys (the first
# encrypts; appointments/crypto.py). Required in production.
APPOINTMENT_ENCRYPTION_KEYS = env_list("APPOINTMENT_ENCRYPTION_KEYS")

# Outgoing mail (appointment notifications, password resets): an SMTP relay.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# A relay that does not answer must not hold a visitor's request for long.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# The per-site setting that says who a clinic is (clinics/identity.py reads
# it; the ground floor names it here rather than importing home).
CLINIC_SETTINGS_MODEL = "home.ClinicSettings"

# Wagtail
WAGTAIL_SITE_NAME = "Clinic CMS"
WAGTAILADMIN_BASE_URL = os.environ.get(
    "WAGTAILADMIN_BASE_URL", "http://toronto.localhost:8000"
)
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "clinics.search_backend",
        # A fixed configuration makes PostgreSQL parse a query once, not once
        # per row it ranks (clinics/search_backend.py); the same one indexes.
        "SEARCH_CONFIG": "english",
    },
}
# The link chooser would turn a pasted address into a link to the page at it,
# on any clinic's site, showing that page's draft title: across the clinic
# boundary. Editors link to pages with the page chooser instead.
WAGTAILADMIN_EXTERNAL_LINK_CONVERSION = ""
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Documents only through Wagtail's view, which checks collection privacy and
# sends "default-src 'none'"; never a direct link to the file in storage.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Approval publishes on the medical review's authority (treatments/review.py):
# nobody holds "publish" for treatment pages.
WAGTAIL_FINISH_WORKFLOW_ACTION = "treatments.review_finish.publish_approved_revision"
# A damaged or truncated upload is a form error, not a 500 (clinics/uploads.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "clinics.uploads.CompleteImageForm"
# Our page types use Wagtail's own privacy and previews; the user bar would
# add admin JavaScript to public pages for editors only.
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Headless API (cms/api.py)
# Rich text as display HTML with resolved links; ?rich_text_format= overrides.
WAGTAILAPI_RICH_TEXT_FORMAT = "html"
WAGTAILAPI_LIMIT_MAX = 100
# Seconds shared caches and browsers may reuse an anonymous API response.
API_CACHE_MAX_AGE = int(os.environ.get("API_CACHE_MAX_AGE", "60"))
# What the deployed code is (a commit id): part of every ETag, so new code
# never answers 304 to a copy old code made. Unset: a hash of the source.
RELEASE_ID = os.environ.get("RELEASE_ID", "")
# Seconds an anonymous visitor's page stays in the page cache (clinics/page_cache.py;
# publishing invalidates it earlier). 0 turns the cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# With the page cache on Redis, each process keeps a copy of up to this many
# pages that Redis keeps true (clinics/tracked_copy.py), so a hit needs no
# round trip: about 16 KB a page. 0 turns the copy off. An entry lapses after
# PAGE_CACHE_COPY_SECONDS even if Redis never said it changed.
PAGE_CACHE_COPY_ENTRIES = int(os.environ.get("PAGE_CACHE_COPY_ENTRIES", "500"))
PAGE_CACHE_COPY_SECONDS = float(os.environ.get("PAGE_CACHE_COPY_SECONDS", "10"))
# Seconds ranked search results are reused (search/results_cache.py; any
# publish empties it earlier). 0 turns it off.
SEARCH_RESULTS_CACHE_SECONDS = int(
    os.environ.get("SEARCH_RESULTS_CACHE_SECONDS", "600")
)

# Content-Security-Policy (django-csp). Public pages load only our own files;
# the one inline <style> (the clinic's brand colour) carries a per-request
# nonce. JSON-LD <script> blocks are data, which CSP does not block. Images
# may be data: URIs (the API docs' icons). frame-ancestors 'self' keeps
# Wagtail's preview panel working. The Wagtail and Django admins use inline
# scripts and styles, so they are left out rather than weakening the policy.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Several machines: media in object storage and a read replica, each on only
# when the environment names it (the embedded defaults stay local).
from .object_storage import apply as apply_object_storage  # noqa: E402

apply_object_storage(globals())
del apply_object_storage
from .read_replica import apply as apply_read_replica  # noqa: E402

apply_read_replica(globals())
del apply_read_replica
