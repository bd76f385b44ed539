"""Medical review: editors submit, reviewers approve (publish) or reject."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, streamfield

from treatments.models import TreatmentPage

from .helpers import (
    faq_value,
    get_page,
    make_treatment,
    mark_reviewed,
    risks_value,
)

pytestmark = pytest.mark.django_db


def submit_new_treatment(client, index, slug="sweet-injections"):
    """An editor creates a treatment page and submits it for review."""
    data = nested_form_data(
        {
            "title": "Sweet injections",
            "slug": slug,
            "summary": "A summary for review.",
            "body": streamfield(
                [("faq", faq_value("Is it safe?")), ("risks", risks_value())]
            ),
        }
    )
    data["action-submit"] = "Submit for review"
    response = client.post(
        reverse(
            "wagtailadmin_pages:add", args=["treatments", "treatmentpage", index.pk]
        ),
        data,
    )
    assert response.status_code == 302, response.content[:2000]
    return TreatmentPage.objects.get(slug=slug)


def act(client, page, action, comment=""):
    state = WorkflowState.objects.for_instance(page).get(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    return client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, action, state.current_task_state.pk],
        ),
        {"comment": comment},
    )


@pytest.fixture
def submitted(client, clinic_sites, editors, reviewer):
    client.force_login(editors.toronto)
    page = submit_new_treatment(client, clinic_sites.toronto.index)
    client.logout()
    return page


def test_submitting_sends_the_page_to_medical_review(submitted, clinic_sites):
    assert not submitted.live
    state = WorkflowState.objects.for_instance(submitted).get()
    assert state.workflow.name == "Medical review"
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.specific.groups.filter(
        name="Medical reviewers"
    ).exists()


def test_reviewer_approval_publishes_and_records_the_review(
    client, submitted, reviewer, clinic_sites
):
    client.force_login(reviewer)
    assert act(client, submitted, "approve").status_code == 302

    page = TreatmentPage.objects.get(pk=submitted.pk)
    assert page.live
    assert page.reviewed_by.user == reviewer
    assert page.reviewed_by.name == "Dana Reviewer"
    assert page.last_reviewed == timezone.localdate()
    # The draft an editor opens next carries the review too.
    assert page.get_latest_revision_as_object().last_reviewed == page.last_reviewed

    client.logout()
    response = get_page(client, page, clinic_sites.toronto.site)
    assert response.status_code == 200
    today = timezone.localdate()
    assert (
        f"Medically reviewed by Dana Reviewer, ND on <time "
        f'datetime="{today:%Y-%m-%d}">{today.day} {today:%B %Y}</time>'
    ) in response.content.decode()


def test_reviewer_rejection_keeps_the_page_unpublished_with_the_comment(
    client, submitted, reviewer, editors
):
    client.force_login(reviewer)
    act(client, submitted, "reject", comment="Add the evidence note to the risks.")

    page = TreatmentPage.objects.get(pk=submitted.pk)
    assert not page.live
    assert page.last_reviewed is None
    state = WorkflowState.objects.for_instance(page).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    rejected = TaskState.objects.get(workflow_state=state)
    assert rejected.status == TaskState.STATUS_REJECTED
    assert rejected.comment == "Add the evidence note to the risks."

    # The editor sees the request for changes on their page.
    client.force_login(editors.toronto)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert "Add the evidence note to the risks." in edit.content.decode()


def test_editor_cannot_approve_own_submission(client, submitted, editors):
    client.force_login(editors.toronto)
    act(client, submitted, "approve")
    assert not TreatmentPage.objects.get(pk=submitted.pk).live


def test_nobody_publishes_a_treatment_page_directly(admin_client, clinic_sites):
    """Not even the operator: a treatment page goes live only through the
    medical review's approval. Other page types publish as before."""
    data = nested_form_data(
        {
            "title": "Operator page",
            "slug": "operator-page",
            "summary": "Published by the operator.",
            "body": streamfield([("faq", faq_value("Who?")), ("risks", risks_value())]),
        }
    )
    data["action-publish"] = "action-publish"
    add = reverse(
        "wagtailadmin_pages:add",
        args=["treatments", "treatmentpage", clinic_sites.toronto.index.pk],
    )
    assert b"action-publish" not in admin_client.get(add).content
    admin_client.post(add, data)
    assert not TreatmentPage.objects.get(slug="operator-page").live

    index = clinic_sites.toronto.index
    edit = reverse("wagtailadmin_pages:edit", args=[index.pk])
    assert b"action-publish" in admin_client.get(edit).content


def test_treatment_preview_uses_the_clinics_branding(client, clinic_sites, editors):
    page = make_treatment(clinic_sites.kelowna.index, title="Kelowna preview")
    client.force_login(editors.kelowna)
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk]))
    html = response.content.decode()
    assert "--brand: #2f6b3a" in html
    assert "Kelowna Test Clinic" in html
    assert "https://booking.example.com/kelowna" in html


def test_review_report_lists_stale_and_unreviewed_pages_per_clinic(
    client, clinic_sites, editors, admin_client
):
    today = timezone.localdate()
    fresh = make_treatment(clinic_sites.toronto.index, title="Fresh review")
    stale = make_treatment(clinic_sites.toronto.index, title="Stale review")
    make_treatment(clinic_sites.toronto.index, title="Never reviewed")
    other = make_treatment(clinic_sites.kelowna.index, title="Kelowna stale")
    mark_reviewed(fresh, today - datetime.timedelta(days=30))
    for page in (stale, other):
        mark_reviewed(page, today - datetime.timedelta(days=400))
    # Reviewed recently, but a later revision went live without review.
    edited = mark_reviewed(
        make_treatment(clinic_sites.toronto.index, title="Edited since review"),
        today,
    )
    edited.title = "Edited since review, again"
    edited.save_revision().publish()
    url = reverse("medical_review_report")

    client.force_login(editors.toronto)
    html = client.get(url).content.decode()
    assert "Stale review" in html
    assert "Never reviewed" in html
    assert "Edited since review, again" in html
    assert "Fresh review" not in html
    assert "Kelowna stale" not in html  # another clinic's page

    html = admin_client.get(url).content.decode()
    assert "Kelowna stale" in html and "Stale review" in html
    only_kelowna = admin_client.get(
        url, {"clinic": clinic_sites.kelowna.site.pk}
    ).content.decode()
    assert "Kelowna stale" in only_kelowna
    assert "Stale review" not in only_kelowna


def test_seed_demo_creates_editors_and_reviewer(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "toronto-editor / changeme" in out
    assert "kelowna-editor / changeme" in out
    assert "reviewer / changeme" in out
    from django.contrib.auth import get_user_model

    User = get_user_model()
    assert (
        User.objects.get(username="toronto-editor")
        .groups.get()
        .name.endswith("editors")
    )
    assert User.objects.get(username="reviewer").clinician.credentials
    call_command("seed_demo")
    assert "password unchanged" in capsys.readouterr().out
