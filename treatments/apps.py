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

        from . import api, tasks  # noqa: F401 (tasks: the daily review reminder)
        from .models import TreatmentPage
        from .review import ReviewedPagePermissionPolicy

        register_permission_policy(
            TreatmentPage, ReviewedPagePermissionPolicy(TreatmentPage), exact_class=True
        )
        # A clinician's record shows on their profile and the treatment pages
        # they provide: those pages change when it does.
        from django.db.models.signals import post_save

        from clinics.content_changes import records_changed

        from .review import Clinician

        post_save.connect(
            lambda sender, instance, **kwargs: records_changed(instance),
            sender=Clinician,
            weak=False,
            dispatch_uid="treatments_clinician_changed",
        )
