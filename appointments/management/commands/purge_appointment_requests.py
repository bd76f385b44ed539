from django.core.management.base import BaseCommand

from appointments.models import purge_expired


class Command(BaseCommand):
    help = (
        "Delete appointment requests older than their clinic's retention period "
        "(run daily; new requests also purge their clinic's expired ones)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_expired()} expired appointment requests.")
