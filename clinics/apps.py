from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinics"
    verbose_name = "Clinic boundary"

    def ready(self):
        # In every process (web workers and commands such as
        # publish_scheduled), not only where the middleware runs.
        from . import content_changes, page_cache, tasks  # noqa: F401 (listeners, periodic tasks)

        content_changes.connect()

        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import post_page_move

        from .boundary import (
            forget_restricted_paths,
            forget_restricted_paths_for_alias,
            forget_sites,
            forget_sites_on_change,
        )

        for signal in (post_save, post_delete, post_page_move):
            signal.connect(forget_sites, dispatch_uid="clinic_forget_sites")
        content_changes.content_changed.connect(
            forget_restricted_paths, dispatch_uid="clinic_forget_restricted_paths"
        )
        # The cached Sites carry each clinic's sections (its menu).
        content_changes.content_changed.connect(
            forget_sites_on_change, dispatch_uid="clinic_forget_sites_on_change"
        )
        post_save.connect(
            forget_restricted_paths_for_alias,
            dispatch_uid="clinic_forget_restricted_paths_for_alias",
        )
