from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import api as headless_api
from home.views import robots_txt
from search import views as search_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    # Per clinic: Wagtail's sitemap and our robots.txt both follow the Host.
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    *headless_api.urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Uploaded images in the local demo; production serves media elsewhere.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if getattr(settings, "CLINIC_BENCH", False):
    from bench.views import bare

    # The benchmark's ceiling: a fixed response through the same middleware.
    urlpatterns += [path("bench/bare/", bare)]

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
