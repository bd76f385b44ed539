from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from home.clinic_setup import ensure_clinic, remove_wagtail_welcome_site


def port_number(value):
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise CommandError(f"--port must be a number from 1 to 65535, not {value!r}.")
    return port


class Command(BaseCommand):
    help = (
        "Add a clinic: its Site, home page, treatment index, settings, editors "
        "group, image and document collection, and the medical review workflow. "
        "Running it again for the same clinic changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The clinic's public name.")
        parser.add_argument(
            "--hostname", required=True, help="e.g. vancouver.example.com"
        )
        parser.add_argument("--port", default="80", help="Default: 80.")
        parser.add_argument(
            "--province",
            default="ON",
            help="Whose college's advertising rules apply: ON or BC (default ON).",
        )
        parser.add_argument(
            "--time-zone",
            default="America/Toronto",
            help="The clinic's time zone, e.g. America/Vancouver.",
        )
        parser.add_argument(
            "--default",
            action="store_true",
            help="Serve this clinic for unknown hostnames, unless another site "
            "already does.",
        )

    def handle(
        self, *args, name, hostname, port, default, province, time_zone, **options
    ):
        name = name.strip()
        if not name:
            raise CommandError("--name must not be empty.")
        port = port_number(port)
        remove_wagtail_welcome_site()
        try:
            clinic = ensure_clinic(
                name=name,
                hostname=hostname.strip(),
                port=port,
                is_default=default,
                settings={"province": province.upper(), "time_zone": time_zone},
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        state = "created" if clinic.created else "already there, nothing changed"
        self.stdout.write(
            f"{name}: http://{clinic.site.hostname}:{clinic.site.port}/ ({state})\n"
            f"  editors group: {clinic.editors.name}\n"
            f"  collection: {clinic.collection.name}\n"
            f"  treatment pages go through the 'Medical review' workflow"
        )
