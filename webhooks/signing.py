"""Signing deliveries so that a receiver knows a delivery is ours and fresh.

The signature is HMAC-SHA256, keyed with the endpoint's secret, over
``"<timestamp>.<body>"``: binding the timestamp stops a captured delivery
from being replayed later with a new one.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
DELIVERY_HEADER = "X-Webhook-Delivery"
EVENT_HEADER = "X-Webhook-Event"


def signature(secret, timestamp, body):
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret, body, delivery_id, event, now=None):
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        DELIVERY_HEADER: str(delivery_id),
        EVENT_HEADER: event,
    }


def verify(secret, body, timestamp, received, tolerance=300, now=None):
    """What a receiver runs: the signature matches and is at most
    ``tolerance`` seconds old."""
    try:
        age = (now if now is not None else time.time()) - int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(age) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), received or "")
