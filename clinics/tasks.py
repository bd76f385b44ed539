"""Periodic work of the whole installation (see clinics/scheduler.py)."""

from django.core.management import call_command
from django_tasks import task

from .scheduler import periodic


@periodic(every=30)
@task()
def publish_scheduled_pages():
    """Wagtail's scheduled publishing and expiry: a page scheduled for 10:00
    goes live within half a minute of it."""
    call_command("publish_scheduled", verbosity=0)
