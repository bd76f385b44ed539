"""Medical review: the clinicians who approve treatment content, and the task.

Wagtail's group approval task does the routing (a treatment page submitted by
an editor waits for the medical reviewers group; approval publishes it,
rejection returns it with a comment). What Wagtail does not do is record *who*
reviewed the content and *when* in the published page, so ``MedicalReviewTask``
adds exactly that to the approve action.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from rest_framework import serializers
from typing_extensions import TypedDict
from wagtail.admin.panels import FieldPanel
from wagtail.models import AbstractGroupApprovalTask
from wagtail.search import index

# A page whose last review is older than this is due for review again.
REVIEW_INTERVAL = datetime.timedelta(days=365)


class Clinician(index.Indexed, models.Model):
    """A clinician who reviews medical content, as named on the public page."""

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

    panels = [FieldPanel("name"), FieldPanel("credentials"), FieldPanel("user")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @classmethod
    def for_user(cls, user):
        """The clinician record of an approving user, created from their name."""
        clinician = cls.objects.filter(user=user).first()
        if clinician is None:
            clinician = cls.objects.create(
                user=user, name=user.get_full_name() or user.get_username()
            )
        return clinician


class MedicalReviewTask(AbstractGroupApprovalTask):
    """Group approval that records the reviewing clinician and the date."""

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            self.record_review(task_state, user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def record_review(self, task_state, user):
        # Approval publishes the latest revision (Wagtail's finish action), so
        # the review is written into that revision: the published page and
        # every later draft carry it. The revision's content is otherwise
        # unchanged, which is why it is updated in place rather than copied.
        page = task_state.workflow_state.content_object
        revision = page.get_latest_revision()
        draft = revision.as_object()
        if not hasattr(draft, "last_reviewed"):
            return
        draft.reviewed_by = Clinician.for_user(user)
        draft.last_reviewed = timezone.localdate()
        revision.content = draft.serializable_data()
        revision.save(update_fields=["content"])

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
