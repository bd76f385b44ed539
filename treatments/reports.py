"""Admin report: treatment pages due for medical review, per clinic."""

import django_filters
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import PageReportView
from wagtail.models import Site

from clinics.identity import clinic_settings_for_site_id

from .models import TreatmentPage
from .review import months_later


def due_for_review(pages, today=None):
    """Pages whose live content has no current review: never reviewed, a later
    revision live without review, or reviewed longer ago than their clinic's
    review interval (in the clinic's own time zone)."""
    unreviewed = (
        Q(last_reviewed__isnull=True)
        | Q(reviewed_revision__isnull=True)
        | ~Q(reviewed_revision_id=F("live_revision_id"))
    )
    stale = Q(pk__in=[])
    for site in Site.objects.select_related("root_page"):
        clinic = clinic_settings_for_site_id(site.pk)
        local_today = today or timezone.localdate(timezone=clinic.tzinfo)
        cutoff = months_later(local_today, -clinic.review_interval_months)
        stale |= Q(path__startswith=site.root_page.path, last_reviewed__lt=cutoff)
    return pages.filter(unreviewed | stale)


class ClinicFilter(django_filters.ModelChoiceFilter):
    """Pages within one Site's tree."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.descendant_of(value.root_page, inclusive=True)


class MedicalReviewFilterSet(WagtailFilterSet):
    clinic = ClinicFilter(
        label="Clinic",
        empty_label="All clinics",
        queryset=Site.objects.order_by("site_name"),
    )

    class Meta:
        model = TreatmentPage
        fields = ["clinic", "live"]


class ClinicColumn(Column):
    def get_value(self, instance):
        site = instance.get_site()
        return site.site_name if site else ""


class ReviewedByColumn(Column):
    def get_value(self, instance):
        return str(instance.reviewed_by) if instance.reviewed_by else "Never reviewed"


class MedicalReviewReportView(PageReportView):
    page_title = "Medical review due"
    header_icon = "warning"
    results_template_name = "wagtailadmin/reports/base_report_results.html"
    filterset_class = MedicalReviewFilterSet
    index_url_name = "medical_review_report"
    index_results_url_name = "medical_review_report_results"
    # Editors see their own clinic's pages, the operator every clinic's.
    any_permission_required = ["add", "change", "publish"]
    paginate_by = 100
    columns = [
        TitleColumn(
            "title",
            label="Treatment",
            get_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ),
        ClinicColumn("clinic", label="Clinic"),
        ReviewedByColumn("reviewed_by", label="Last reviewed by"),
        DateColumn("last_reviewed", label="Last reviewed"),
    ]
    list_export = ["title", "clinic", "reviewed_by", "last_reviewed", "live"]
    export_headings = {
        "title": "Treatment",
        "clinic": "Clinic",
        "reviewed_by": "Last reviewed by",
        "last_reviewed": "Last reviewed",
        "live": "Live",
    }

    def get_queryset(self):
        editable = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["add", "change", "publish"]
        )
        # Aliases follow their original, which is where the review happens.
        self.queryset = due_for_review(
            TreatmentPage.objects.filter(
                pk__in=editable.values("pk"), alias_of__isnull=True
            )
        ).select_related("reviewed_by")
        return super().get_queryset()

    def get_ordering(self):
        return ["path"]

    def to_row_dict(self, item):
        # The spreadsheet export: the same facts as the table.
        return {
            "title": item.title,
            "clinic": ClinicColumn("clinic").get_value(item),
            "reviewed_by": ReviewedByColumn("reviewed_by").get_value(item),
            "last_reviewed": item.last_reviewed,
            "live": item.live,
        }


class FindingsColumn(Column):
    def __init__(self, name, severity, **kwargs):
        super().__init__(name, **kwargs)
        self.severity = severity

    def get_value(self, instance):
        return sum(f.severity == self.severity for f in instance.findings)


class FirstFindingColumn(Column):
    def get_value(self, instance):
        first = instance.findings[0] if instance.findings else None
        return f"{first.rule}: “{first.excerpt[:80]}”" if first else ""


class HealthAdvertisingReportView(PageReportView):
    """Live treatment pages whose wording the health-advertising check flags,
    per clinic (each with its own province's rules)."""

    page_title = "Health advertising findings"
    header_icon = "warning"
    results_template_name = "wagtailadmin/reports/base_report_results.html"
    filterset_class = MedicalReviewFilterSet
    index_url_name = "health_advertising_report"
    index_results_url_name = "health_advertising_report_results"
    any_permission_required = ["add", "change", "publish"]
    paginate_by = 100
    columns = [
        TitleColumn(
            "title",
            label="Treatment",
            get_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
        ),
        ClinicColumn("clinic", label="Clinic"),
        FindingsColumn("errors", "error", label="Errors"),
        FindingsColumn("warnings", "warning", label="Warnings"),
        FirstFindingColumn("first", label="First finding"),
    ]
    list_export = ["title", "clinic", "errors", "warnings", "first"]

    def get_queryset(self):
        from .claims.pages import page_findings

        editable = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["add", "change", "publish"]
        )
        live = TreatmentPage.objects.live().filter(
            pk__in=editable.values("pk"), alias_of__isnull=True
        )
        self.findings_by_page = {
            page.pk: findings for page in live if (findings := page_findings(page))
        }
        self.queryset = TreatmentPage.objects.filter(pk__in=self.findings_by_page)
        return super().get_queryset()

    def decorate_paginated_queryset(self, object_list):
        for page in object_list:
            page.findings = self.findings_by_page.get(page.pk, [])
        return object_list

    def get_ordering(self):
        return ["path"]

    def to_row_dict(self, item):
        item.findings = self.findings_by_page.get(item.pk, [])
        return {
            "title": item.title,
            "clinic": ClinicColumn("clinic").get_value(item),
            "errors": FindingsColumn("errors", "error").get_value(item),
            "warnings": FindingsColumn("warnings", "warning").get_value(item),
            "first": FirstFindingColumn("first").get_value(item),
        }
