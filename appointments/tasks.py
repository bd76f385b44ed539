"""Appointment work that leaves the visitor's request: the clinic's
notification, and deleting requests past their clinic's retention period."""

from django_tasks import task

from clinics.scheduler import periodic

from .models import AppointmentRequest, purge_expired
from .notifications import notify_clinic


@task()
def notify_clinic_of_request(request_id):
    appointment_request = AppointmentRequest.objects.filter(pk=request_id).first()
    if appointment_request is not None:  # purged or deleted meanwhile
        notify_clinic(appointment_request)


@periodic(every=3600)
@task()
def purge_expired_requests():
    """Hourly, so no request outlives its retention period by much."""
    return purge_expired()
