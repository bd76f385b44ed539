"""The daily reminder of treatment pages due for medical review, sent from
the task worker: each person hears only of the clinics they work for and the
pages they can act on."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from clinics import scheduler
from treatments.review import months_later
from treatments.tasks import review_due_reminders, send_review_due_reminders

from .helpers import make_treatment, mark_reviewed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("admin_base_url"),
]


@pytest.fixture
def admin_base_url():
    with override_settings(WAGTAILADMIN_BASE_URL="https://admin.clinic.test"):
        yield


@pytest.fixture
def staff(editors, reviewer):
    for user, address in [
        (editors.toronto, "editor@toronto.test"),
        (editors.kelowna, "editor@kelowna.test"),
        (reviewer, "reviewer@clinic.test"),
    ]:
        user.email = address
        user.save()
    return editors, reviewer


def messages_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_a_page_never_reviewed_is_sent_to_its_clinics_editors_and_the_reviewers(
    clinic_sites, staff, treatment_page, kelowna_treatment
):
    mark_reviewed(kelowna_treatment, on=timezone.localdate())
    assert send_review_due_reminders() == 2

    (to_editor,) = messages_to("editor@toronto.test")
    assert to_editor.subject == (
        "Toronto Test Clinic: 1 treatment page is due for medical review"
    )
    assert "Prolotherapy: never reviewed" in to_editor.body
    assert (
        f"https://admin.clinic.test/admin/pages/{treatment_page.pk}/edit/"
        in to_editor.body
    )
    (to_reviewer,) = messages_to("reviewer@clinic.test")
    assert to_reviewer.body == to_editor.body
    # Kelowna's page is reviewed: nothing to its editor, nothing of it anywhere.
    assert messages_to("editor@kelowna.test") == []
    assert all("Kelowna" not in m.subject + m.body for m in mail.outbox)


def test_a_review_older_than_the_clinics_interval_is_due_again(
    clinic_sites, staff, treatment_page, kelowna_treatment
):
    today = datetime.date(2026, 12, 2)
    interval = clinic_sites.kelowna.settings.review_interval_months
    mark_reviewed(treatment_page, on=today)
    mark_reviewed(
        kelowna_treatment,
        on=months_later(today, -interval) - datetime.timedelta(days=1),
    )

    send_review_due_reminders(today=today)

    (to_kelowna,) = messages_to("editor@kelowna.test")
    assert "Kelowna Prolotherapy: last reviewed on" in to_kelowna.body
    assert messages_to("editor@toronto.test") == []
    # The reviewer works for both clinics: one message per clinic, each with
    # only that clinic's pages.
    (to_reviewer,) = messages_to("reviewer@clinic.test")
    assert to_reviewer.subject.startswith("Kelowna")

    # On the last day of the interval it was not yet due.
    mail.outbox.clear()
    send_review_due_reminders(today=today - datetime.timedelta(days=1))
    assert mail.outbox == []


def test_drafts_aliases_and_reviewed_pages_send_nothing(
    clinic_sites, staff, treatment_page
):
    mark_reviewed(treatment_page, on=timezone.localdate())
    treatment_page.create_alias(
        parent=clinic_sites.kelowna.index, update_slug="shared-prolotherapy"
    )
    draft = make_treatment(clinic_sites.toronto.index, title="Draft treatment")
    draft.unpublish()

    assert send_review_due_reminders() == 0
    assert mail.outbox == []


def test_each_clinic_gets_one_message_per_person_listing_all_its_due_pages(
    clinic_sites, staff, treatment_page
):
    make_treatment(clinic_sites.toronto.index, title="Acupuncture")
    send_review_due_reminders()
    (message,) = messages_to("editor@toronto.test")
    assert message.subject == (
        "Toronto Test Clinic: 2 treatment pages are due for medical review"
    )
    assert message.body.index("Acupuncture") < message.body.index("Prolotherapy")
    assert "https://admin.clinic.test/admin/reports/" in message.body


def test_the_worker_sends_the_reminder_once_a_day(clinic_sites, staff, treatment_page):
    job = scheduler.PERIODIC["treatments.tasks.review_due_reminders"]
    assert job.task is review_due_reminders
    assert job.every == 24 * 3600
    morning = 1_796_000_000.0  # any instant: periods are whole days
    start_of_day = morning - morning % job.every

    scheduler.enqueue_due(start_of_day + 60)
    scheduler.enqueue_due(start_of_day + 3600)  # another worker, the same day
    assert len(messages_to("editor@toronto.test")) == 1
    scheduler.enqueue_due(start_of_day + job.every + 60)  # the next day
    assert len(messages_to("editor@toronto.test")) == 2
