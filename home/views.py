from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from clinics.boundary import request_site


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    """Each clinic's robots.txt points at that clinic's own sitemap."""
    site = request_site(request)
    root = site.root_url if site else request.build_absolute_uri("/").rstrip("/")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {root}/sitemap.xml",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Each clinic's own icon (ClinicSettings), or the product's default."""
    from django.shortcuts import redirect
    from django.templatetags.static import static
    from wagtail.images.models import SourceImageIOError

    from clinics.identity import clinic_settings

    site = request_site(request)
    icon = clinic_settings(request).favicon if site else None
    if icon is not None:
        try:
            return redirect(icon.get_rendition("fill-64x64|format-png").url)
        except SourceImageIOError:  # its file is gone: the default, not a 500
            pass
    return redirect(static("img/favicon.png"))
