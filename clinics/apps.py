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
            forget_cached_lists,
            forget_restricted_paths_for_alias,
            forget_sites,
        )

        for signal in (post_save, post_delete, post_page_move):
            signal.connect(forget_sites, dispatch_uid="clinic_forget_sites")
        content_changes.content_changed.connect(
            forget_cached_lists, dispatch_uid="clinic_forget_cached_lists"
        )
        post_save.connect(
            forget_restricted_paths_for_alias,
            dispatch_uid="clinic_forget_restricted_paths_for_alias",
        )
