"""Sending deliveries: in the task worker, never in the publishing request
(with the embedded immediate backend, after its transaction has committed)."""

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django_tasks import default_task_backend, task

from clinics.scheduler import periodic

from .addresses import opener, refusal
from .models import WebhookDelivery
from .signing import signed_headers

logger = logging.getLogger(__name__)


@task()
def send_delivery(delivery_id):
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or not delivery.claim():
        return  # sent already, given up, not due yet, or another worker has it
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = signed_headers(
        delivery.endpoint.secret, body, delivery.pk, delivery.event
    )
    request = urllib.request.Request(  # noqa: S310 (an http(s) URLField)
        delivery.endpoint.url, data=body, headers=headers, method="POST"
    )
    refused = refusal(delivery.endpoint.url)
    try:
        if refused:
            raise ValueError(refused)
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            delivery.record_attempt(response.status)
    except urllib.error.HTTPError as error:
        delivery.record_attempt(error.code, f"HTTP {error.code}")
    except urllib.error.URLError as error:  # refused, unknown host
        delivery.record_attempt(None, str(error.reason))
    except (OSError, ValueError) as error:  # timed out, bad address
        delivery.record_attempt(None, str(error) or type(error).__name__)
    if delivery.status == WebhookDelivery.Status.PENDING:
        logger.warning(
            "Webhook delivery %s to %s failed (attempt %s); retrying at %s",
            delivery.pk,
            delivery.endpoint.url,
            delivery.attempts,
            delivery.next_attempt_at.isoformat(),
        )
        retry_later(delivery)
    elif delivery.status == WebhookDelivery.Status.FAILED:
        logger.error(
            "Webhook delivery %s to %s gave up after %s attempts",
            delivery.pk,
            delivery.endpoint.url,
            delivery.attempts,
        )


def retry_later(delivery):
    # A queue that can defer takes the retry at its time; otherwise the
    # periodic sweep below picks it up when it is due.
    if default_task_backend.supports_defer:
        send_delivery.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)


def send_on_commit(delivery):
    transaction.on_commit(lambda: send_delivery.enqueue(delivery.pk), robust=True)


@periodic(every=30)
@task()
def send_due_deliveries():
    """Deliveries due and not held by a live attempt: retries, and any whose
    worker died mid-attempt (its claim has expired)."""
    for pk in WebhookDelivery.due().values_list("pk", flat=True)[:500]:
        send_delivery.enqueue(pk)
