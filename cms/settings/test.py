from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://toronto.localhost:8000"
# Serve static files from the app folders; no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite's own cache files, never a running demo's, and each test run its
# own folder: two runs at once would otherwise read each other's entries.
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):  # noqa: F405
    import atexit
    import shutil
    import tempfile

    CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="clinic-cms-test-cache-")  # noqa: F405
    CACHES["renditions"]["LOCATION"] = CACHES["default"]["LOCATION"]  # noqa: F405
    atexit.register(shutil.rmtree, CACHES["default"]["LOCATION"], ignore_errors=True)  # noqa: F405
SERVE_MEDIA = True  # the browser tests show uploaded images
APPOINTMENT_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTMyYnl0ZXM="]
# The suite's webhook receivers listen on loopback.
WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
