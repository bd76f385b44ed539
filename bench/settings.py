"""Production settings plus the benchmark's instrumentation, for bench/run.py
only (DJANGO_SETTINGS_MODULE=bench.settings). Production settings and urls
never import the bench."""

from cms.settings.production import *  # noqa: F403

# SQL queries per request in a response header (bench/middleware.py).
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
# The product's URLs plus the bare view the harness compares with.
ROOT_URLCONF = "bench.urls"
