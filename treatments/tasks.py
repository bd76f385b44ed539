"""Treatment work that leaves the request: the daily reminder of pages whose
medical review is due."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_tasks import task
from wagtail.models import Site
from wagtail.permission_policies.pages import PagePermissionPolicy

from clinics.identity import clinic_settings_for_site_id
from clinics.scheduler import periodic

from .models import TreatmentPage
from .reports import due_for_review

# Who can act on a due page: its clinic's editors (who submit it for review)
# and the medical reviewers (who approve it). The operator reads the report.
ACTS_ON_REVIEW = ["change", "publish"]


def send_review_due_reminders(today=None):
    """One message per person and clinic, listing that clinic's live treatment
    pages whose review is due which the person can act on; the number sent."""
    policy = PagePermissionPolicy()
    sent = 0
    for site in Site.objects.select_related("root_page").order_by("pk"):
        clinic = clinic_settings_for_site_id(site.pk)
        due = due_for_review(
            TreatmentPage.objects.live()
            .descendant_of(site.root_page, inclusive=True)
            .filter(alias_of__isnull=True),
            today=today,
        ).order_by("title", "path")
        pages_of = {}
        for page in due:
            for user in policy.users_with_any_permission_for_instance(
                ACTS_ON_REVIEW, page, include_superusers=False
            ).exclude(email=""):
                pages_of.setdefault(user, []).append(page)
        for user, pages in pages_of.items():
            send_reminder(user, clinic, pages, today)
            sent += 1
    return sent


def send_reminder(user, clinic, pages, today):
    admin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    local_today = today or timezone.localdate(timezone=clinic.tzinfo)
    with translation.override(clinic.language):
        rows = [
            {
                "title": page.title,
                "last_reviewed": page.last_reviewed,
                "edit_url": admin + reverse("wagtailadmin_pages:edit", args=[page.pk]),
            }
            for page in pages
        ]
        subject = ngettext(
            "%(clinic)s: %(count)d treatment page is due for medical review",
            "%(clinic)s: %(count)d treatment pages are due for medical review",
            len(pages),
        ) % {"clinic": clinic.name, "count": len(pages)}
        body = render_to_string(
            "treatments/review_due_reminder.txt",
            {
                "clinic": clinic,
                "pages": rows,
                "today": local_today,
                "report_url": admin + reverse("medical_review_report"),
            },
        )
    # Not robust: a mail relay that is down fails the task, and the next
    # day's run sends the (still due) list again.
    send_mail(subject, body, None, [user.email])


@periodic(every=24 * 3600)
@task()
def review_due_reminders():
    """Daily; the scheduler enqueues each day's run once, whatever the number
    of workers."""
    return send_review_due_reminders()
