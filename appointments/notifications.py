"""The clinic is told that a request arrived, never what it says."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from clinics.identity import clinic_settings_for_site_id


def notify_clinic(appointment_request):
    clinic = clinic_settings_for_site_id(appointment_request.site_id)
    recipient = clinic.notification_email
    if not recipient:
        return
    admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "appointment_requests:detail", args=[appointment_request.pk]
    )
    context = {"clinic": clinic, "admin_url": admin_url}
    message = EmailMultiAlternatives(
        subject=_("New appointment request for %(clinic)s") % {"clinic": clinic.name},
        body=render_to_string("appointments/notification.txt", context),
        to=[recipient],
    )
    message.attach_alternative(
        render_to_string("appointments/notification.html", context), "text/html"
    )
    message.send()
