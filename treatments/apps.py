from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treatments"

    def ready(self):
        # Wagtail builds its v3 API (and reads the schema hooks that type our
        # blocks) in the ready() of wagtail.images and friends, which come after
        # this app in INSTALLED_APPS; register the hooks first.
        from . import api  # noqa: F401
