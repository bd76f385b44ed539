"""The task worker: django-tasks-db's ``db_worker`` with the scheduler of
periodic tasks beside it (clinics/scheduler.py)."""

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from clinics import scheduler


class Command(DBWorkerCommand):
    help = "Runs queued tasks, and enqueues the periodic ones on time."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Run queued tasks only; another worker enqueues periodic ones.",
        )

    def handle(self, *args, no_scheduler=False, **options):
        if not no_scheduler:
            scheduler.start(settings.SCHEDULER_INTERVAL)
        return super().handle(*args, **options)
