from .base import *  # noqa: F403
from .base import env_bool, env_list

# The demo shows what visitors see, the clinic's own 404 and 500 pages
# included; DEBUG=true for Django's debug pages while developing.
DEBUG = env_bool("DEBUG", False)
# Uploaded images and documents from the local disk (production serves them
# from its storage).
SERVE_MEDIA = True
# A fixed key is fine for a local demo; production.py requires a real one.
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-clinic-cms"  # noqa: F405
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1,[::1]")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A fixed key for the local demo only: its requests are made up.
APPOINTMENT_ENCRYPTION_KEYS = APPOINTMENT_ENCRYPTION_KEYS or [  # noqa: F405
    "7b0l3p1Dk8xS3c0pJq9yX2V4nR6tWm8zA5cE7gH1jK0="
]
# The demo's webhooks may go to a receiver on this machine.
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
