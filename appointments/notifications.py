"""The clinic is told that a request arrived, never what it says."""

from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
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
    with translation.override(clinic.language):
        logo = logo_image(clinic)
        context = {"clinic": clinic, "admin_url": admin_url, "logo": logo}
        message = EmailMultiAlternatives(
            subject=_("New appointment request for %(clinic)s")
            % {"clinic": clinic.name},
            body=render_to_string("appointments/notification.txt", context),
            to=[recipient],
        )
        message.attach_alternative(
            render_to_string("appointments/notification.html", context), "text/html"
        )
    if logo is not None:
        # Inline (cid:), so mail clients that block remote images show it.
        message.mixed_subtype = "related"
        message.attach(logo)
    message.send()


LOGO_CID = "clinic-logo"


def logo_image(clinic):
    """The clinic's logo as an inline image part, or None."""
    if clinic.logo is None:
        return None
    try:
        rendition = clinic.logo.get_rendition("max-240x80|format-png")
        with rendition.file.open("rb") as file:
            image = MIMEImage(file.read(), "png")
    except OSError:  # the file is gone (Wagtail's SourceImageIOError too)
        return None
    image.add_header("Content-ID", f"<{LOGO_CID}>")
    image.add_header("Content-Disposition", "inline", filename="logo.png")
    return image
