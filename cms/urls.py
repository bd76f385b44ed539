from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from clinics.boundary import admin_url_guard
from cms import api as headless_api
from home.views import favicon, robots_txt
from search import views as search_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Every admin URL that names a page, image, document, collection or
    # workflow state is checked against the viewer's clinics first.
    path(
        "admin/",
        include(decorate_urlpatterns(wagtailadmin_urls.urlpatterns, admin_url_guard)),
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    # Per clinic: Wagtail's sitemap and our robots.txt both follow the Host.
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    *headless_api.urlpatterns,
]

if getattr(settings, "SERVE_MEDIA", False):
    from django.urls import re_path
    from django.views.static import serve

    # Uploaded images in the local demo; production serves media elsewhere.
    # Images only: documents are served through Wagtail's view, which checks
    # their collection's privacy and clinic (clinics/wagtail_hooks.py).
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>(?:original_images|images)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Wagtail's page serving catches everything else, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]

# Errors answer JSON on API URLs, the clinic's templates elsewhere.
handler400 = "clinics.errors.bad_request"
handler403 = "clinics.errors.permission_denied"
handler404 = "clinics.errors.page_not_found"
handler500 = "clinics.errors.server_error"
