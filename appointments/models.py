from datetime import timedelta

from django.db import models, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, Site

from clinics.publishing import ClinicPageMixin

from . import crypto

# What a request holds, all of it encrypted together.
FIELDS = ("name", "email", "phone", "preferred_times", "reason")


class AppointmentRequest(models.Model):
    """One visitor's request for an appointment at one clinic. Everything the
    visitor wrote is in ``payload``, encrypted (appointments/crypto.py); the
    clear columns say only which clinic, when and from where."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=10, choices=[("web", "web"), ("api", "api")])
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
        return f"Appointment request {self.pk} ({self.received_at:%Y-%m-%d})"

    @classmethod
    def receive(cls, site, data, source):
        """Store a request (``data``: the form's FIELDS) and tell the clinic."""
        from .notifications import notify_clinic

        with transaction.atomic():
            request = cls.objects.create(
                site=site,
                source=source,
                consent_given=True,
                payload=crypto.encrypt({name: data.get(name, "") for name in FIELDS}),
            )
            purge_expired(site)
        # robust: a mail relay that is down is logged; the request is kept and
        # the visitor still gets the thank-you.
        transaction.on_commit(lambda: notify_clinic(request), robust=True)
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
        blank=True,
        default="Tell us how to reach you and when suits you; we will call or "
        "write back to book your appointment.",
    )
    thank_you = models.TextField(
        default="Thank you: your request has reached the clinic. We will contact "
        "you to arrange a time.",
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

    @method_decorator(sensitive_post_parameters(*FIELDS))
    def serve(self, request, *args, **kwargs):
        from clinics.boundary import request_site

        from .forms import AppointmentRequestForm, RateLimited, check_rate

        site = request_site(request)
        form = AppointmentRequestForm(request.POST or None, site=site)
        received = request.GET.get("received") == "1"
        status = 200
        if request.method == "POST":
            try:
                check_rate(request, site)
            except RateLimited as limited:
                form.add_error(None, str(limited))
                status = 429
            else:
                if form.is_valid():
                    if not form.is_spam():
                        AppointmentRequest.receive(site, form.cleaned_data, "web")
                    return redirect(f"{self.url}?received=1")
                status = 400
        response = TemplateResponse(
            request,
            self.get_template(request),
            {**self.get_context(request), "form": form, "received": received},
            status=status,
        )
        # The form carries a CSRF token: never from a shared cache.
        add_never_cache_headers(response)
        return response
