import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from appointments.models import AppointmentRequestPage
from home.clinic_setup import (
    ensure_clinic,
    ensure_reviewer,
    ensure_user,
    publish_new_child,
    remove_wagtail_welcome_site,
)
from home.demo_content import (
    CLINICS,
    DEMO_CLINICIAN,
    DEMO_EDITORS,
    DEMO_PASSWORD,
    DEMO_REVIEWER,
    DEMO_SITE_PAGES,
    DEMO_VISIT,
)
from home.demo_images import clinic_images
from home.models import ContentPage, VisitPage
from treatments.blocks import GeneralStreamBlock, TreatmentStreamBlock
from treatments.models import Clinician, ClinicianPage, TeamPage, TreatmentPage
from treatments.review import record_review_of


class Command(BaseCommand):
    help = (
        "Create the Toronto and Kelowna demo clinics with their prolotherapy pages "
        "a demo superuser, an editor per clinic and a medical reviewer. Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="The port the demo is served on (default 8000): the clinics' "
            "sites, and so every absolute link, use it.",
        )
        parser.add_argument(
            "--no-admin",
            action="store_true",
            help="Do not create the demo superuser, editors and reviewer.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        remove_wagtail_welcome_site()
        stream_block = TreatmentStreamBlock()
        accounts = []
        port = options["port"]
        for data in CLINICS:
            move_demo_site(data["hostname"], port)
            clinic = ensure_clinic(
                name=data["name"],
                hostname=data["hostname"],
                port=port,
                is_default=data["is_default"],
                intro=data["home_intro"],
                settings=data["settings"],
            )
            images = clinic_images(
                data["name"], clinic.settings.brand_colour, clinic.collection
            )
            dress_clinic(clinic, images)
            for treatment in data["treatments"]:
                if (
                    TreatmentPage.objects.child_of(clinic.index)
                    .filter(slug=treatment["slug"])
                    .exists()
                ):
                    continue
                page = TreatmentPage(
                    title=treatment["title"],
                    slug=treatment["slug"],
                    summary=treatment["summary"],
                    body=stream_block.to_python(treatment["body"]),
                    hero_image=images["treatment_hero"],
                )
                page.providers = [demo_clinician()]
                clinic.index.add_child(instance=page)
                # Seeded as reviewed by the demo clinician, as approval records.
                revision = page.save_revision()
                record_review_of(revision, demo_clinician())
                revision.publish()
            self.stdout.write(
                f"{data['name']}: http://{data['hostname']}:{port}/"
                + (" (created)" if clinic.created else " (already there)")
            )
            editor = DEMO_EDITORS.get(data["hostname"])
            if editor and not options["no_admin"]:
                password = os.environ.get(editor["password_env"], DEMO_PASSWORD)
                _, created = ensure_user(
                    editor["username"],
                    password,
                    email=editor["email"],
                    groups=[clinic.editors],
                    name=editor["name"],
                )
                accounts.append(
                    (f"{data['name']} editor", editor["username"], password, created)
                )

        if not options["no_admin"]:
            self._ensure_admin(port)
            password = os.environ.get(DEMO_REVIEWER["password_env"], DEMO_PASSWORD)
            _, created = ensure_reviewer(
                DEMO_REVIEWER["username"],
                password,
                name=DEMO_REVIEWER["name"],
                credentials=DEMO_REVIEWER["credentials"],
                email=DEMO_REVIEWER["email"],
            )
            accounts.append(
                ("Medical reviewer", DEMO_REVIEWER["username"], password, created)
            )
            for role, username, password, created in accounts:
                shown = password if created else "(already exists, password unchanged)"
                self.stdout.write(f"{role}: {username} / {shown}")

    def _ensure_admin(self, port):
        User = get_user_model()
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "changeme")
        if User.objects.filter(username="admin").exists():
            self.stdout.write(
                f"Admin: http://toronto.localhost:{port}/admin/  admin "
                "(already exists, password unchanged)"
            )
            return
        User.objects.create_superuser("admin", "admin@example.com", password)
        self.stdout.write(
            f"Admin: http://toronto.localhost:{port}/admin/  admin / {password}"
        )


def demo_clinician():
    """The demo's medical reviewer as a clinician, with or without an account
    (``ensure_reviewer`` links the account to it)."""
    clinician, _ = Clinician.objects.get_or_create(
        name=DEMO_REVIEWER["name"],
        defaults={"credentials": DEMO_REVIEWER["credentials"], **DEMO_CLINICIAN},
    )
    return clinician


def move_demo_site(hostname, port):
    """A demo seeded before on another port moves to ``port``, so its links
    (canonical URLs, the API's html_url, "View live") point where it runs."""
    from wagtail.models import Site

    for site in Site.objects.filter(hostname=hostname).exclude(port=port):
        site.port = port
        site.save()  # through save(): Wagtail forgets its cached root paths


def child(parent, model, slug):
    return model.objects.child_of(parent).filter(slug=slug).first()


def dress_clinic(clinic, images):
    """The clinic's brand images, its other pages and their place in the
    menu, each only if missing (an editor's changes are kept)."""
    settings = clinic.settings
    for name in ("logo", "favicon", "social_image"):
        if getattr(settings, f"{name}_id") is None:
            setattr(settings, name, images[name])
    for name, text in DEMO_VISIT.items():
        if not getattr(settings, name):
            setattr(settings, name, text)
    home = clinic.home
    if home.hero_image_id is None:
        home.hero_image = images["home_hero"]
        home.save_revision().publish()
    general = GeneralStreamBlock()
    pages = {}
    for slug, content in DEMO_SITE_PAGES.items():
        page = child(home, ContentPage, slug)
        if page is None:
            body = [
                {
                    **block,
                    "value": {
                        **block["value"],
                        "body": block["value"]["body"].format(
                            clinic=clinic.settings.name,
                            retention=settings.appointment_retention_days,
                        ),
                    },
                }
                for block in content["body"]
            ]
            page = publish_new_child(
                home,
                ContentPage(
                    title=content["title"],
                    slug=slug,
                    intro=content["intro"],
                    body=general.to_python(body),
                    show_in_menus=slug == "about",
                ),
            )
        pages[slug] = page
    if child(home, TeamPage, "team") is None:
        team = publish_new_child(
            home,
            TeamPage(
                title="Our team",
                slug="team",
                intro="The clinicians you may meet at the clinic.",
                show_in_menus=True,
            ),
        )
        clinician = demo_clinician()
        publish_new_child(
            team,
            ClinicianPage(
                title=clinician.name,
                slug="riley-reviewer",
                clinician=clinician,
            ),
        )
    if child(home, VisitPage, "visit") is None:
        publish_new_child(
            home,
            VisitPage(
                title="Visit us",
                slug="visit",
                intro="Where to find us and when we are open.",
                show_in_menus=True,
            ),
        )
    if child(home, AppointmentRequestPage, "request-an-appointment") is None:
        publish_new_child(
            home,
            AppointmentRequestPage(
                title="Request an appointment",
                slug="request-an-appointment",
                show_in_menus=True,
            ),
        )
    if settings.privacy_page_id is None:
        settings.privacy_page = pages["privacy"]
    settings.full_clean()
    settings.save()
