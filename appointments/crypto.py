"""Encryption at rest for appointment requests, with Fernet (the
``cryptography`` package: authenticated, maintained; nothing home-made).

The key comes from the environment, ``APPOINTMENT_ENCRYPTION_KEYS``: one or
more Fernet keys separated by commas, the first encrypting and all of them
decrypting (so a key can be rotated: put the new one first, re-encrypt with
``manage.py rotate_appointment_key``, then drop the old one). A database
dump without the key reveals nothing of a request.
"""

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def keys():
    configured = getattr(settings, "APPOINTMENT_ENCRYPTION_KEYS", [])
    if not configured:
        raise ImproperlyConfigured(
            "APPOINTMENT_ENCRYPTION_KEYS must be set to a Fernet key (generate one "
            "with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    try:
        return MultiFernet([Fernet(key) for key in configured])
    except ValueError as error:
        raise ImproperlyConfigured(
            "APPOINTMENT_ENCRYPTION_KEYS holds a value that is not a Fernet key."
        ) from error


def encrypt(data):
    """A dict as an encrypted token (text)."""
    return keys().encrypt(json.dumps(data).encode()).decode()


def decrypt(token):
    try:
        return json.loads(keys().decrypt(token.encode()))
    except InvalidToken as error:
        raise ValueError(
            "The request cannot be read with the configured keys."
        ) from error


def rotate(token):
    return keys().rotate(token.encode()).decode()
