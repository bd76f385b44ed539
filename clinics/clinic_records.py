"""Records a clinic holds and manages in the admin (webhook endpoints and
their deliveries): a Wagtail viewset and permission policy that keep each
clinic's records to the staff holding the record's permission for that clinic.

Django's model permissions are installation-wide; a clinic's records need the
permission *for that clinic* (a Wagtail site permission of one of the user's
groups), so the policy asks the boundary which clinics those are, and the
boundary's admin URL guard refuses any other clinic's record by its id.
"""

from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .boundary import (
    CLINIC_RECORD_VIEWSETS,
    clinic_records_in_reach,
    sites_with_permission,
)


class ClinicRecordPermissionPolicy(BasePermissionPolicy):
    """``actions`` on the records of the clinics where the user holds
    ``permission`` ("app_label.codename") as a site permission."""

    def __init__(self, model, permission, site_lookup="site", actions=()):
        super().__init__(model)
        self.permission = permission
        self.site_lookup = site_lookup
        self.actions = frozenset(actions or ("add", "change", "delete", "view"))

    def sites(self, user):
        return sites_with_permission(user, *self.permission.split("."))

    def user_has_permission(self, user, action):
        return action in self.actions and bool(self.sites(user))

    def instances_user_has_any_permission_for(self, user, actions):
        records = clinic_records_in_reach(
            user, self.model, self.site_lookup, self.permission
        )
        return records if self.actions.intersection(actions) else records.none()

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.instances_user_has_any_permission_for(user, [action])
            .filter(pk=instance.pk)
            .exists()
        )

    def users_with_any_permission(self, actions):
        raise NotImplementedError  # Wagtail does not ask this of a viewset


class ClinicRecordViewSet(ModelViewSet):
    """A ModelViewSet over one clinic-held model: its listing shows the
    viewer's clinics' records only and its forms offer only those clinics."""

    permission = None  # "app_label.codename", held per clinic
    site_lookup = "site"
    actions = ()
    copy_view_enabled = False

    def on_register(self):
        register_permission_policy(
            self.model,
            ClinicRecordPermissionPolicy(
                self.model, self.permission, self.site_lookup, self.actions
            ),
        )
        super().on_register()
        CLINIC_RECORD_VIEWSETS[self.name] = (
            self.model,
            self.site_lookup,
            self.permission,
        )

    @property
    def index_view_class(self):
        policy = self.permission_policy

        class ClinicRecordIndexView(super().index_view_class):
            def get_base_queryset(self):
                return policy.instances_user_has_any_permission_for(
                    self.request.user, ["view", "change", "delete"]
                ).order_by(*self.model._meta.ordering or ["pk"])

        return ClinicRecordIndexView
