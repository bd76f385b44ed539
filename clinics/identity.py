"""Who a clinic is: its settings (name, contact details, booking link, brand),
read through one accessor.

The settings are a per-site setting in ``home`` (where Wagtail keeps
settings), which neither this floor nor ``treatments`` imports. As with
Wagtail's ``get_image_model()``, the model is named by a setting,
``CLINIC_SETTINGS_MODEL``. Each clinic's settings are read at most once per
request, however many blocks, pages or API items ask.
"""

from django.apps import apps
from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .boundary import site_for_request


def get_clinic_settings_model():
    return apps.get_model(settings.CLINIC_SETTINGS_MODEL, require_ready=False)


def clinic_settings_for_site_id(site_id, request=None):
    """The settings of the clinic with Site ``site_id``, once per request."""
    found = getattr(request, "_clinic_settings_by_site", None)
    if found is None:
        found = {}
        if request is not None:
            request._clinic_settings_by_site = found
    if site_id not in found:
        model = get_clinic_settings_model()
        # No Site (an installation being set up): blank settings, not an error.
        found[site_id] = model() if site_id is None else model.for_site_id(site_id)
    return found[site_id]


def clinic_time(moment, site_id, request=None):
    """``moment`` (aware) in the clinic's own time zone."""
    from django.utils import timezone

    return timezone.localtime(
        moment, clinic_settings_for_site_id(site_id, request).tzinfo
    )


def clinic_settings(request):
    """The settings of the clinic the request is for (see clinics.boundary)."""
    site = site_for_request(request)
    return clinic_settings_for_site_id(site.pk if site else None, request)


def clinic_settings_for_page(page, request=None):
    """The settings of the clinic ``page`` belongs to, from Wagtail's
    (request-cached) site root paths rather than a query for its Site."""
    url_parts = page.get_url_parts(request)
    return clinic_settings_for_site_id(url_parts[0] if url_parts else None, request)


def booking_url(request):
    """Where "Book an appointment" leads for the request's clinic."""
    if request is None:
        return ""
    return clinic_settings(request).booking_url or ""


def clinic_context(request):
    """Template context processor: ``clinic`` is the request's clinic."""
    return {"clinic": SimpleLazyObject(lambda: clinic_settings(request))}
