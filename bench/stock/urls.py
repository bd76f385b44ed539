from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.urls import api as v3_api
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from bench.stock.views import search
from bench.views import bare

v2_router = WagtailAPIRouter("wagtailapi")
v2_router.register_endpoint("pages", PagesAPIViewSet)
v2_router.register_endpoint("images", ImagesAPIViewSet)
v2_router.register_endpoint("documents", DocumentsAPIViewSet)

urlpatterns = [
    path("bench/bare/", bare),
    path("api/v2/", v2_router.urls),
    path("api/v3/", v3_api.urls),
    path("search/", search),
    # The stock way to cache a page: Django's cache_page around Wagtail's
    # serve (the bench's "cached page" scenario asks for /cached/<path>).
    re_path(r"^cached/(?P<path>[-\w/]*)$", cache_page(600)(wagtail_views.serve)),
    path("", include(wagtail_urls)),
]
