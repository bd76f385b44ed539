"""Appointment requests in the admin: listed, read and exported only by
staff of the request's clinic who hold "Can read and export appointment
requests" for that clinic's site. Every read and export is recorded in
Wagtail's audit log; the listing shows no personal details. Times are the
clinic's own."""

import csv
import logging

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.log_actions import log
from wagtail.models import Site

from clinics.api_input import whole_number
from clinics.boundary import sites_with_permission
from clinics.identity import clinic_time
from clinics.sensitive import mark_sensitive

from .models import FIELDS, AppointmentRequest

logger = logging.getLogger(__name__)

READ_LOG_ACTION = "appointments.read"
EXPORT_LOG_ACTION = "appointments.export"
PER_PAGE = 50
# A cell a spreadsheet would run as a formula (CSV injection): written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def readable_sites(user):
    return sites_with_permission(user, "appointments", "read_appointmentrequest")


def requests_in_reach(request):
    """The requests the user may read, of one clinic with ``?site=``."""
    requests = AppointmentRequest.objects.filter(
        site_id__in=readable_sites(request.user)
    ).select_related("site")
    site_id = request.GET.get("site") or request.POST.get("site")
    if site_id:
        whole_number(1)("site", site_id)  # else a 400 with the reason
        requests = requests.filter(site_id=int(site_id))
    return requests, site_id or ""


def require_reader(request):
    if not readable_sites(request.user):
        raise PermissionDenied


def received(appointment_request, request):
    """When it arrived, in its clinic's time zone, with the zone named."""
    return date_format(
        clinic_time(
            appointment_request.received_at, appointment_request.site_id, request
        ),
        "j F Y, H:i T",
    )


def details_of(appointment_request):
    """The visitor's words, or None when no configured key reads them (the
    id is logged, never the contents)."""
    try:
        return appointment_request.read()
    except ValueError:
        logger.error(
            "Appointment request %s cannot be decrypted.", appointment_request.pk
        )
        return None


@never_cache
def index(request):
    require_reader(request)
    requests, site_id = requests_in_reach(request)
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("p"))
    for item in page:
        item.received_display = received(item, request)
    return TemplateResponse(
        request,
        "appointments/admin/index.html",
        {
            "page": page,
            "sites": Site.objects.filter(pk__in=readable_sites(request.user)),
            "site_id": site_id,
        },
    )


@never_cache
def detail(request, pk):
    require_reader(request)
    mark_sensitive(request)
    appointment_request = get_object_or_404(requests_in_reach(request)[0], pk=pk)
    details = details_of(appointment_request)
    log(instance=appointment_request, action=READ_LOG_ACTION, user=request.user)
    return TemplateResponse(
        request,
        "appointments/admin/detail.html",
        {
            "appointment_request": appointment_request,
            "received": received(appointment_request, request),
            "details": details,
        },
    )


def spreadsheet_safe(value):
    return f"'{value}" if str(value).startswith(FORMULA_STARTS) else value


@never_cache
@require_POST  # an export is recorded: never from a link another site embeds
def export(request):
    require_reader(request)
    mark_sensitive(request)
    requests, _site_id = requests_in_reach(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="appointment-requests-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Clinic"),
            _("Received"),
            _("Sent through"),
            *(str(AppointmentRequest.field_label(name)) for name in FIELDS),
        ]
    )
    for appointment_request in requests:
        details = details_of(appointment_request)
        if details is None:
            values = [_("(cannot be decrypted with the configured keys)")]
        else:
            values = [spreadsheet_safe(details.get(name, "")) for name in FIELDS]
        writer.writerow(
            [
                appointment_request.site.site_name,
                clinic_time(
                    appointment_request.received_at,
                    appointment_request.site_id,
                    request,
                ).isoformat(),
                appointment_request.get_source_display(),
                *values,
            ]
        )
        log(instance=appointment_request, action=EXPORT_LOG_ACTION, user=request.user)
    return response
