"""The admin's page editor with saving, submitting and publishing made all or
nothing (see clinics/publishing.py for why Wagtail needs this).

``AtomicPageViewSet`` is Wagtail's own per-page-type viewset with our edit
view; the page apps register it for their page types in wagtail_hooks.py.
On failure the editor gets the form back with their edits and a plain
message, and nothing in the database has changed.
"""

import logging

from django.contrib import messages
from django.db import InterfaceError, OperationalError, transaction
from wagtail.admin.ui.side_panels import ChecksSidePanel
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.viewsets.pages import PageViewSet

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "Sorry, “{title}” could not be {action} because of an error on our side, "
    "so nothing was changed: the live page is as it was. Your edits are still "
    "in the form below; please try again, or contact the site operator if it "
    "keeps happening."
)


class PageChecksMixin:
    """Wagtail's checks side panel, or the page type's own extension of it
    (``checks_side_panel_class``: treatment pages add their health-advertising
    findings)."""

    def get_side_panels(self):
        panels = super().get_side_panels()
        panel_class = getattr(self.page, "checks_side_panel_class", None)
        if panel_class is None:
            return panels
        for position, panel in enumerate(panels):
            if type(panel) is ChecksSidePanel:
                panels[position] = panel_class(
                    self.page,
                    self.request,
                    parent_page=getattr(self, "parent_page", None),
                )
        return panels


class ClinicCreateView(PageChecksMixin, CreateView):
    pass


class AtomicEditView(PageChecksMixin, EditView):
    def save_action(self):
        return self._all_or_nothing(super().save_action, "saved")

    def publish_action(self):
        return self._all_or_nothing(super().publish_action, "published")

    def submit_action(self):
        return self._all_or_nothing(super().submit_action, "submitted for review")

    def perform_workflow_action(self):
        # Wagtail says "Page … has been updated" after any workflow action; a
        # task that says what happened ("approved and published") is asked.
        task = self.page.current_workflow_task
        action = self.workflow_action
        response = self._all_or_nothing(super().perform_workflow_action, "saved")
        describe = getattr(task, "action_message", None)
        message = describe(self.page, action) if describe else None
        if message and response.status_code in (301, 302):
            list(messages.get_messages(self.request))
            messages.success(self.request, message)
        return response

    def _all_or_nothing(self, action, verb):
        title = self.page.get_admin_display_title()
        try:
            with transaction.atomic():
                return action()
        except (OperationalError, InterfaceError):
            # The database itself is unreachable: the outage middleware answers
            # 503 with Retry-After (clinics/middleware.py).
            raise
        except Exception:
            logger.exception("Could not %s page %s; rolled back", verb, self.page.pk)
        # Messages queued during the failed attempt ("has been published")
        # describe something that did not happen.
        list(messages.get_messages(self.request))
        # The in-memory page was changed by the attempt; show the stored one.
        self.page = self.page.specific_class.objects.get(pk=self.page.pk)
        self.has_unsaved_changes = True
        message = FAILED_MESSAGE.format(title=title, action=verb)
        if self.expects_json_response:
            return self.json_error_response("action_failed", message)
        messages.error(self.request, message)
        return self.render_to_response(self.get_context_data())


class AtomicPageViewSet(PageViewSet):
    """Wagtail's page views for one page type, with the all-or-nothing editor."""

    add_view_class = ClinicCreateView
    edit_view_class = AtomicEditView

    @classmethod
    def for_models(cls, *models):
        return [
            cls(f"{m._meta.app_label}_{m._meta.model_name}_pages", model=m)
            for m in models
        ]
