from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from home.clinic_setup import find_clinic_site, share_treatment
from treatments.models import TreatmentPage


class Command(BaseCommand):
    help = (
        "Place a treatment page of one clinic into another clinic's site, kept in "
        "sync with the original (an alias, the default) or as an independent copy."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The treatment page's slug, e.g. prolotherapy")
        parser.add_argument(
            "--from",
            dest="from_site",
            required=True,
            help="The clinic it belongs to: hostname[:port]",
        )
        parser.add_argument(
            "--to", required=True, help="The receiving clinic: hostname[:port]"
        )
        parser.add_argument(
            "--copy",
            action="store_true",
            help="Make an independent copy instead of a synchronised alias.",
        )

    def handle(self, *args, slug, from_site, to, copy, **options):
        try:
            source_site = find_clinic_site(from_site)
            target_site = find_clinic_site(to)
            page = (
                TreatmentPage.objects.descendant_of(source_site.root_page)
                .filter(slug=slug, alias_of__isnull=True)
                .first()
            )
            if page is None:
                raise ValidationError(
                    f"{source_site.site_name} has no treatment page '{slug}'."
                )
            shared = share_treatment(page, target_site, keep_in_sync=not copy)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        kind = "a copy" if copy else "an alias (kept in sync)"
        self.stdout.write(
            f"'{page.title}' is now on {target_site.site_name} as {kind}: "
            f"{shared.get_url()}"
        )
