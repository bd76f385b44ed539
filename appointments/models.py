from datetime import timedelta

from django.db import models, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, Site

from clinics.publishing import ClinicPageMixin
from clinics.sensitive import mark_sensitive

from . import crypto

# What a request holds, all of it encrypted together, with the labels staff
# read it under.
FIELD_LABELS = {
    "name": _("Name"),
    "email": _("Email"),
    "phone": _("Phone"),
    "preferred_times": _("When suits them"),
    "reason": _("What it is about"),
}
FIELDS = tuple(FIELD_LABELS)


class AppointmentRequest(models.Model):
    """One visitor's request for an appointment at one clinic. Everything the
    visitor wrote is in ``payload``, encrypted (appointments/crypto.py); the
    clear columns say only which clinic, when and from where."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(
        _("sent through"),
        max_length=10,
        choices=[("web", _("the clinic's website")), ("api", _("the API"))],
    )
    payload = models.TextField(editable=False)
    consent_given = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at"]
        default_permissions = ()
        permissions = [
            ("read_appointmentrequest", "Can read and export appointment requests")
        ]
        verbose_name = _("appointment request")

    def __str__(self):
        # Never the visitor's name: this string ends up in logs and the admin.
        return _("Appointment request %(number)s") % {"number": self.pk}

    @staticmethod
    def field_label(name):
        return FIELD_LABELS[name]

    @classmethod
    def receive(cls, site, data, source):
        """Store a request (``data``: the form's FIELDS) and tell the clinic."""
        from .tasks import notify_clinic_of_request

        with transaction.atomic():
            request = cls.objects.create(
                site=site,
                source=source,
                consent_given=True,
                payload=crypto.encrypt({name: data.get(name, "") for name in FIELDS}),
            )
            purge_expired(site)
        # In the task worker; robust: with the embedded immediate backend a
        # mail relay that is down is logged, the request is kept and the
        # visitor still gets the thank-you.
        transaction.on_commit(
            lambda: notify_clinic_of_request.enqueue(request.pk), robust=True
        )
        return request

    def read(self):
        """The visitor's words (decrypted). Callers record the read."""
        return crypto.decrypt(self.payload)


def retention_days(site):
    from clinics.identity import clinic_settings_for_site_id

    return clinic_settings_for_site_id(site.pk).appointment_retention_days


def purge_expired(site=None):
    """Delete requests older than their clinic's retention period."""
    deleted = 0
    sites = [site] if site is not None else Site.objects.all()
    for each in sites:
        cutoff = timezone.now() - timedelta(days=retention_days(each))
        deleted += AppointmentRequest.objects.filter(
            site=each, received_at__lt=cutoff
        ).delete()[0]
    return deleted


class AppointmentRequestPage(ClinicPageMixin, Page):
    """The clinic's appointment request form and its thank-you message."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        default=_(
            "Tell us how to reach you and when suits you; we will call or "
            "write back to book your appointment."
        ),
    )
    thank_you = models.TextField(
        _("thank-you message"),
        default=_(
            "Thank you: your request has reached the clinic. We will contact "
            "you to arrange a time."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("thank_you"),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("appointment request form")

    def submission_blockers(self, user, parent=None):
        """The form asks for consent "as the privacy notice describes": it
        goes live only while the clinic's privacy notice can be read."""
        from clinics.identity import clinic_settings_for_page

        clinic = clinic_settings_for_page(parent if self.pk is None else self)
        if clinic.privacy_notice is None:
            return [
                _(
                    "Publish the clinic's privacy notice and choose it in the "
                    "clinic's settings (Appointment requests) first: the form "
                    "links it beside the consent."
                )
            ]
        return []

    def serve(self, request, *args, **kwargs):
        from clinics.boundary import request_site
        from clinics.identity import clinic_settings

        from .forms import AppointmentRequestForm, RateLimited, check_rate

        site = request_site(request)
        posted = request.method == "POST"
        if posted:
            mark_sensitive(request)
        # Bound on every POST, an empty one included (then "required" errors).
        form = AppointmentRequestForm(request.POST if posted else None, site=site)
        received = request.GET.get("received") == "1"
        # No consent without a privacy notice to consent to: no form either.
        accepting = clinic_settings(request).privacy_notice is not None
        status = 200
        if posted and not accepting:
            status = 409
        elif posted:
            status = 400
            if form.is_valid():
                try:
                    check_rate(request, site)
                except RateLimited as limited:
                    form.add_error(None, str(limited))
                    status = 429
                else:
                    if not form.is_spam():
                        AppointmentRequest.receive(site, form.cleaned_data, "web")
                    return redirect(f"{self.url}?received=1")
        response = TemplateResponse(
            request,
            self.get_template(request),
            {
                **self.get_context(request),
                "form": form,
                "received": received,
                "accepting": accepting,
            },
            status=status,
        )
        # The form carries a CSRF token: never from a shared cache.
        add_never_cache_headers(response)
        return response
