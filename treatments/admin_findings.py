"""Where editors meet the health-advertising check: beside the content in
the page editor's checks panel, updated as they type, and in a report.

The panel extends Wagtail's checks side panel (which runs its accessibility
checks on the preview) with the findings of the page as it stands in the
form. Its script posts the form, as Wagtail's live preview does, to
``FindingsView``, which builds the page from the form without saving it and
answers the findings as HTML.
"""

from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.side_panels import ChecksSidePanel
from wagtail.admin.views.pages.preview import PreviewOnCreateView, PreviewOnEditView
from wagtail.models import PageLogEntry

from .claims.checker import ERROR
from .claims.pages import page_findings
from .review import OVERRIDE_LOG_ACTION


def overrides_of(page):
    """Earlier approvals despite findings, newest first (shown to reviewers)."""
    if not page.pk:
        return []
    return list(
        PageLogEntry.objects.filter(page=page, action=OVERRIDE_LOG_ACTION)
        .select_related("user")
        .order_by("-timestamp")[:5]
    )


def findings_context(page, request, parent=None):
    findings = page_findings(page, request, parent)
    return {
        "findings": findings,
        "error_count": sum(f.severity == ERROR for f in findings),
        "overrides": overrides_of(page),
    }


class HealthAdvertisingChecksPanel(ChecksSidePanel):
    template_name = "treatments/admin/checks_side_panel.html"

    def __init__(self, object, request, parent_page=None):
        super().__init__(object, request)
        self.parent_page = parent_page

    def findings_url(self):
        page = self.object
        if page.pk:
            return reverse("treatment_findings_edit", args=[page.pk])
        return reverse(
            "treatment_findings_add",
            args=[page._meta.app_label, page._meta.model_name, self.parent_page.pk],
        )

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(findings_context(self.object, self.request, self.parent_page))
        context["findings_url"] = self.findings_url()
        return context


class FindingsMixin:
    """Wagtail's preview view, answering the findings of the page the posted
    form describes instead of storing it for a preview."""

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        # As for a draft: what is filled in is checked, the rest can wait.
        form.defer_required_fields()
        valid = form.is_valid()
        form.restore_required_fields()
        page = form.save(commit=False) if valid else self.object
        context = findings_context(page, request, form.parent_page)
        return JsonResponse(
            {
                "html": render_to_string(
                    "treatments/admin/findings.html", context, request=request
                ),
                "count": len(context["findings"]),
                "errors": context["error_count"],
                "form_is_valid": valid,
            }
        )

    def get(self, request, *args, **kwargs):
        return JsonResponse(
            {"message": _("Post the page's form to check it.")}, status=405
        )


class FindingsView(FindingsMixin, PreviewOnEditView):
    pass


class FindingsOnCreateView(FindingsMixin, PreviewOnCreateView):
    pass
