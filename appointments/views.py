"""Appointment requests in the admin: listed, read and exported only by
staff of the request's clinic who hold "Can read and export appointment
requests" for that clinic's site. Every read and export is recorded in
Wagtail's audit log; the listing shows no personal details."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from wagtail.log_actions import log
from wagtail.models import Site

from clinics.boundary import sites_with_permission

from .models import FIELDS, AppointmentRequest

READ_LOG_ACTION = "appointments.read"
EXPORT_LOG_ACTION = "appointments.export"


def readable_sites(user):
    return sites_with_permission(user, "appointments", "read_appointmentrequest")


def requests_in_reach(user):
    return AppointmentRequest.objects.filter(site_id__in=readable_sites(user))


def require_reader(request):
    if not readable_sites(request.user):
        raise PermissionDenied


@never_cache
def index(request):
    require_reader(request)
    requests = requests_in_reach(request.user).select_related("site")
    site_id = request.GET.get("site")
    if site_id and site_id.isdigit():
        requests = requests.filter(site_id=int(site_id))
    return TemplateResponse(
        request,
        "appointments/admin/index.html",
        {
            "requests": requests[:500],
            "sites": Site.objects.filter(pk__in=readable_sites(request.user)),
            "site_id": site_id,
        },
    )


@never_cache
def detail(request, pk):
    require_reader(request)
    appointment_request = get_object_or_404(requests_in_reach(request.user), pk=pk)
    details = appointment_request.read()
    log(instance=appointment_request, action=READ_LOG_ACTION, user=request.user)
    return TemplateResponse(
        request,
        "appointments/admin/detail.html",
        {"appointment_request": appointment_request, "details": details},
    )


@never_cache
def export(request):
    require_reader(request)
    requests = requests_in_reach(request.user).select_related("site")
    site_id = request.GET.get("site")
    if site_id and site_id.isdigit():
        requests = requests.filter(site_id=int(site_id))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="appointment-requests-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([_("Clinic"), _("Received"), *FIELDS])
    for appointment_request in requests:
        details = appointment_request.read()
        writer.writerow(
            [
                appointment_request.site.site_name,
                appointment_request.received_at.isoformat(),
                *(details.get(name, "") for name in FIELDS),
            ]
        )
        log(instance=appointment_request, action=EXPORT_LOG_ACTION, user=request.user)
    return response
