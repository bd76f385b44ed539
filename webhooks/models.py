"""A clinic's webhook endpoints and every delivery made to them.

A delivery row is written in the same transaction as the change it reports,
so a rolled-back publish announces nothing and a committed one is never lost:
the worker (or the periodic retry) sends it until it is delivered or gives up.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_secret():
    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    class Event(models.TextChoices):
        PUBLISH = "publish", _("Published")
        UNPUBLISH = "unpublish", _("Unpublished")
        DELETE = "delete", _("Deleted")
        MOVE = "move", _("Moved")

    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("clinic"),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("Called with a POST of JSON when one of the events happens."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        default=new_secret,
        help_text=_(
            "Signs each delivery (HMAC-SHA256 in the X-Webhook-Signature header). "
            "Give the same secret to the receiving end."
        ),
    )
    events = models.JSONField(
        _("events"),
        default=list,
        help_text=_("Which changes to a page of this clinic are sent."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        permissions = [("manage_webhooks", _("Can manage the clinic's webhooks"))]

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    # Seconds to wait after each failed attempt; after the last, it gives up.
    BACK_OFF = (10, 60, 300, 1800, 7200, 21600)

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=20, choices=WebhookEndpoint.Event)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(
        _("last response"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_event_display()} → {self.endpoint}"

    @staticmethod
    def claim_seconds():
        """How long one attempt holds a delivery: longer than an attempt can
        take, so a live worker's attempt is never doubled, and a worker killed
        mid-attempt lets it go again after this."""
        return settings.WEBHOOK_TIMEOUT * 2 + 10

    @classmethod
    def due(cls):
        now = timezone.now()
        return cls.objects.filter(
            status=cls.Status.PENDING, next_attempt_at__lte=now
        ).filter(models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now))

    def claim(self):
        """Take the delivery for one attempt; False if another process has it
        or it is not due (one UPDATE, so two workers never both send it)."""
        until = timezone.now() + timedelta(seconds=self.claim_seconds())
        return bool(type(self).due().filter(pk=self.pk).update(claimed_until=until))

    def record_attempt(self, status_code=None, error=""):
        self.attempts += 1
        self.response_status = status_code
        self.last_error = error[:300]
        self.claimed_until = None
        now = timezone.now()
        if status_code is not None and 200 <= status_code < 300:
            self.status = self.Status.DELIVERED
            self.delivered_at = now
        elif self.attempts > len(self.BACK_OFF):
            self.status = self.Status.FAILED
        else:
            self.next_attempt_at = now + timedelta(
                seconds=self.BACK_OFF[self.attempts - 1]
            )
        self.save()
