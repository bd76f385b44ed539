"""The product's URLs plus the benchmark's ceiling: a fixed response through
the same middleware (bench/views.py)."""

from django.urls import path

from bench.views import bare
from cms.urls import handler400, handler403, handler404, handler500  # noqa: F401
from cms.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/bare/", bare), *product_urlpatterns]
