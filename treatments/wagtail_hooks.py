"""Admin behaviour for treatments: clinicians, the review report, choosers."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import page_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from clinics.page_editor import AtomicPageViewSet

from .models import TreatmentIndexPage, TreatmentPage
from .reports import MedicalReviewReportView
from .review import Clinician


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


@hooks.register("register_admin_viewset")
def register_all_or_nothing_page_editors():
    return AtomicPageViewSet.for_models(TreatmentIndexPage, TreatmentPage)
