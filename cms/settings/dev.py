from .base import *  # noqa: F403
from .base import env_list

DEBUG = True
# A fixed key is fine for a local demo; production.py requires a real one.
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-clinic-cms"  # noqa: F405
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,.localhost,127.0.0.1,[::1]")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
