"""Medical review: the clinicians who approve treatment content, and the task.

Wagtail's group approval task does the routing (a treatment page submitted by
an editor waits for the medical reviewers group; approval publishes it,
rejection returns it with a comment). Here:

- **The review cannot be bypassed.** A treatment page goes live only through
  the review's approval: nobody, the operator included, may publish one
  directly (``ReviewedPagePermissionTester``, ``ReviewedPagePermissionPolicy``);
  approval publishes on the authority of the review itself
  (``review_finish.publish_approved_revision``).
- **Reviewers act, and only act.** They see "Approve and publish" and
  "Request changes". If the content has error findings from the
  health-advertising check, approval needs an override reason, kept in the
  page's history and shown to later reviewers.
- **The review belongs to the revision approved.** Approval records who
  reviewed and when into that revision, with its id; a page claims the review
  only while that revision is the live one (``TreatmentPage.current_review``).
"""

import calendar
import datetime

from django import forms
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from typing_extensions import TypedDict
from wagtail.admin.panels import FieldPanel
from wagtail.forms import TaskStateCommentForm
from wagtail.log_actions import log
from wagtail.models import AbstractGroupApprovalTask, PagePermissionTester
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.search import index

from clinics.identity import clinic_settings_for_page

APPROVE = "approve"
APPROVE_WITH_OVERRIDE = "approve_override"
REJECT = "reject"
OVERRIDE_LOG_ACTION = "treatments.advertising_override"


def months_later(date, months):
    """``date`` plus whole months, kept within the month (31 Jan + 1 = 28 Feb)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    day = min(date.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def is_medical_reviewer(user):
    from clinics.boundary import MEDICAL_REVIEWERS_GROUP

    return bool(
        user
        and user.is_authenticated
        and user.groups.filter(name=MEDICAL_REVIEWERS_GROUP).exists()
    )


def clinic_today(page):
    """Today's date in the time zone of the page's clinic."""
    return timezone.localdate(timezone=clinic_settings_for_page(page).tzinfo)


class Clinician(index.Indexed, models.Model):
    """A clinician: who reviews medical content, who provides treatments, and
    who is introduced on a clinic's team pages. One record per person."""

    name = models.CharField(
        max_length=120, help_text="Full name as patients should see it."
    )
    credentials = models.CharField(
        max_length=120,
        blank=True,
        help_text="Professional designations, e.g. 'ND' or 'MD, CCFP'.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clinician",
        help_text="The admin account this clinician approves reviews with.",
    )
    registration_body = models.CharField(
        _("registered with"),
        max_length=200,
        blank=True,
        help_text=_(
            "Their regulatory college, e.g. the College of Physicians and "
            "Surgeons of Ontario."
        ),
    )
    registration_number = models.CharField(
        _("registration number"), max_length=60, blank=True
    )
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Languages they see patients in, separated by commas."),
    )
    biography = models.TextField(_("biography"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("credentials"),
        FieldPanel("registration_body"),
        FieldPanel("registration_number"),
        FieldPanel("languages"),
        FieldPanel("biography"),
        FieldPanel("user"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def pages_that_show_it(self):
        """The treatment pages naming this clinician as a provider show their
        name (clinics/content_changes.py). Wagtail's reference index does not
        follow ParentalManyToManyField, so they are named here."""
        return self.provided_treatments.all()

    @property
    def language_list(self):
        return [lang.strip() for lang in self.languages.split(",") if lang.strip()]

    @classmethod
    def for_user(cls, user):
        """The clinician record of an approving user, created from their name."""
        clinician = cls.objects.filter(user=user).first()
        if clinician is None:
            clinician = cls.objects.create(
                user=user, name=user.get_full_name() or user.get_username()
            )
        return clinician


def record_review_of(revision, clinician):
    """Write a medical review into ``revision``, with its id: the page claims
    the review while that revision is live. Approval publishes the latest
    revision (Wagtail's finish action) right after; the content is otherwise
    unchanged, which is why the revision is updated in place."""
    draft = revision.as_object()
    if not hasattr(draft, "last_reviewed"):
        return
    draft.reviewed_by = clinician
    draft.last_reviewed = clinic_today(draft)
    draft.reviewed_revision_id = revision.pk
    revision.content = draft.serializable_data()
    revision.save(update_fields=["content"])


class OverrideForm(TaskStateCommentForm):
    """Approval of content with error findings: the reviewer says why."""

    override_reason = forms.CharField(
        label=_("Why this may be published despite the findings"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the page's history and shown to the next reviewers."),
    )


def review_findings(page):
    """Error findings of the health-advertising check on the page's latest
    revision (what approval would publish)."""
    from .claims.checker import ERROR
    from .claims.pages import page_findings

    draft = page.get_latest_revision_as_object()
    return [f for f in page_findings(draft) if f.severity == ERROR]


class MedicalReviewTask(AbstractGroupApprovalTask):
    """Group approval that records the reviewing clinician and the date."""

    def get_actions(self, obj, user):
        if not (user.is_superuser or self._user_in_groups(user)):
            return []
        approve = (
            (APPROVE_WITH_OVERRIDE, _("Approve and publish, overriding findings"), True)
            if review_findings(obj)
            else (APPROVE, _("Approve and publish"), False)
        )
        return [(REJECT, _("Request changes"), True), approve]

    def get_form_for_action(self, action):
        if action == APPROVE_WITH_OVERRIDE:
            return OverrideForm
        return super().get_form_for_action(action)

    def action_message(self, page, action_name):
        """What the reviewer is told after acting (see clinics.page_editor)."""
        title = page.get_admin_display_title()
        if action_name in (APPROVE, APPROVE_WITH_OVERRIDE):
            return _("“%(title)s” was approved and published.") % {"title": title}
        if action_name == REJECT:
            return _("Changes to “%(title)s” were requested from its editor.") % {
                "title": title
            }
        return None

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        override_reason = kwargs.pop("override_reason", "")
        if action_name == APPROVE_WITH_OVERRIDE:
            self.record_override(task_state, user, override_reason)
            action_name = APPROVE
        if action_name == APPROVE:
            self.record_review(task_state, user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def record_override(self, task_state, user, reason):
        page = task_state.workflow_state.content_object.specific
        findings = review_findings(page)
        log(
            instance=page,
            action=OVERRIDE_LOG_ACTION,
            user=user,
            revision=page.get_latest_revision(),
            data={
                "reason": reason,
                "findings": [{"rule": f.rule, "excerpt": f.excerpt} for f in findings],
            },
        )

    def record_review(self, task_state, user):
        page = task_state.workflow_state.content_object
        record_review_of(page.get_latest_revision(), Clinician.for_user(user))

    @classmethod
    def get_description(cls):
        return (
            "Members of the chosen groups approve medical content; approval "
            "records the reviewing clinician and the date on the page."
        )

    class Meta:
        verbose_name = "medical review task"
        verbose_name_plural = "medical review tasks"


class ReviewingClinician(TypedDict):
    name: str
    credentials: str


class ClinicianField(serializers.Field):
    """The reviewing clinician in the API: who, not a database id."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> ReviewingClinician:
        return {"name": value.name, "credentials": value.credentials}


class ReviewedPagePermissionTester(PagePermissionTester):
    """No one publishes a treatment page directly, the operator included: it
    goes live only through the medical review's approval."""

    def can_publish(self):
        return False


class ReviewedChildrenPermissionTester(PagePermissionTester):
    """The treatment index: its children are treatment pages, which nobody
    publishes directly, so nobody publishes one as they create it."""

    def can_publish_subpage(self):
        return False


class ReviewedPagePermissionPolicy(PagePermissionPolicy):
    """The same for Wagtail's actions (the v3 API), which ask the policy."""

    def user_has_any_permission_for_instance(self, user, actions, instance):
        actions = set(actions) - {"publish"}
        if not actions:
            return False
        return super().user_has_any_permission_for_instance(user, actions, instance)
