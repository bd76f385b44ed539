from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treatments"

    def ready(self):
        # Wagtail builds its v3 API (and reads the schema hooks that type our
        # blocks) in the ready() of wagtail.images and friends, which come after
        # this app in INSTALLED_APPS; register the hooks first.
        # Treatment pages are published only through the medical review.
        from wagtail.permissions import register_permission_policy

        from . import api  # noqa: F401
        from .models import TreatmentPage
        from .review import ReviewedPagePermissionPolicy

        register_permission_policy(
            TreatmentPage, ReviewedPagePermissionPolicy(TreatmentPage), exact_class=True
        )
