"""Admin behaviour for treatments: clinicians, the review report, choosers."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import WorkflowMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter
from wagtail.permissions import page_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from clinics.page_editor import AtomicPageViewSet

from .admin_findings import FindingsOnCreateView, FindingsView
from .models import ClinicianPage, TeamPage, TreatmentIndexPage, TreatmentPage
from .reports import HealthAdvertisingReportView, MedicalReviewReportView
from .review import OVERRIDE_LOG_ACTION, Clinician, is_medical_reviewer


class ClinicianViewSet(SnippetViewSet):
    model = Clinician
    icon = "user"
    menu_label = "Clinicians"
    menu_order = 300
    add_to_admin_menu = False
    list_display = ["name", "credentials", "user"]
    search_fields = ["name"]


register_snippet(ClinicianViewSet)


@hooks.register("register_admin_urls")
def register_medical_review_report_urls():
    return [
        path(
            "reports/medical-review/",
            MedicalReviewReportView.as_view(),
            name="medical_review_report",
        ),
        path(
            "reports/medical-review/results/",
            MedicalReviewReportView.as_view(results_only=True),
            name="medical_review_report_results",
        ),
        path(
            "reports/health-advertising/",
            HealthAdvertisingReportView.as_view(),
            name="health_advertising_report",
        ),
        path(
            "reports/health-advertising/results/",
            HealthAdvertisingReportView.as_view(results_only=True),
            name="health_advertising_report_results",
        ),
        path(
            "treatments/findings/<int:page_id>/",
            FindingsView.as_view(),
            name="treatment_findings_edit",
        ),
        path(
            "treatments/findings/add/<slug:content_type_app_name>/"
            "<slug:content_type_model_name>/<int:parent_page_id>/",
            FindingsOnCreateView.as_view(),
            name="treatment_findings_add",
        ),
    ]


class MedicalReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return page_permission_policy.user_has_any_permission(
            request.user, ["add", "change", "publish"]
        )


@hooks.register("register_reports_menu_item")
def register_medical_review_report_menu_item():
    return MedicalReviewMenuItem(
        "Medical review due",
        reverse("medical_review_report"),
        name="medical-review-due",
        icon_name="warning",
        order=650,
    )


@hooks.register("register_reports_menu_item")
def register_health_advertising_report_menu_item():
    return MedicalReviewMenuItem(
        _("Health advertising findings"),
        reverse("health_advertising_report"),
        name="health-advertising",
        icon_name="warning",
        order=651,
    )


@hooks.register("construct_page_action_menu")
def reviewers_only_approve_or_request_changes(menu_items, request, context):
    """On a treatment page in review, a medical reviewer who does not also
    edit the clinic's pages sees the review's two actions and nothing else."""
    page = context.get("page")
    user = request.user
    if not isinstance(page, TreatmentPage) or not is_medical_reviewer(user):
        return
    if user.is_superuser or page_permission_policy.user_has_permission_for_instance(
        user, "change", page
    ):
        return
    menu_items[:] = [item for item in menu_items if isinstance(item, WorkflowMenuItem)]


@hooks.register("register_log_actions")
def register_advertising_override(actions):
    @actions.register_action(OVERRIDE_LOG_ACTION)
    class AdvertisingOverride(LogFormatter):
        label = _("Approved despite health-advertising findings")

        def format_message(self, log_entry):
            return _("Approved despite %(count)s finding(s): “%(reason)s”") % {
                "count": len(log_entry.data.get("findings", [])),
                "reason": log_entry.data.get("reason", ""),
            }


@hooks.register("register_admin_viewset")
def register_all_or_nothing_page_editors():
    return AtomicPageViewSet.for_models(
        TreatmentIndexPage, TreatmentPage, TeamPage, ClinicianPage
    )
