"""A whole clinic website: general pages and the menu, the Visit us page, the
booking box, clinicians, appointment requests handled as personal health
information, each clinic's own brand, and a demo that tells the truth."""

import csv
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupSitePermission, ModelLogEntry, Page, PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase

from appointments.models import AppointmentRequest, AppointmentRequestPage
from home.clinic_setup import (
    ensure_clinic,
    ensure_user,
    publish_new_child,
    remove_wagtail_welcome_site,
)
from home.models import ContentPage, HomePage, VisitPage
from treatments.models import Clinician, ClinicianPage, TeamPage, TreatmentPage

from .api.support import APIClient, openapi_document
from .conftest import TORONTO
from .helpers import get_page, host_of, make_image, make_treatment

pytestmark = pytest.mark.django_db

PATIENT = {
    "name": "Avery Quinlan-Marsh",
    "email": "avery.qm@example.com",
    "phone": "+1 250-555-0142",
    "preferred_times": "Tuesday mornings",
    "reason": "Sore left shoulder",
}


# Page types


class ClinicPageTypesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        remove_wagtail_welcome_site()
        cls.toronto = ensure_clinic(**TORONTO)

    def test_where_each_page_type_goes(self):
        self.assertCanCreateAt(HomePage, ContentPage)
        self.assertCanCreateAt(ContentPage, ContentPage)
        self.assertCanCreateAt(HomePage, VisitPage)
        self.assertCanCreateAt(HomePage, TeamPage)
        self.assertCanCreateAt(TeamPage, ClinicianPage)
        self.assertCanCreateAt(HomePage, AppointmentRequestPage)
        self.assertCanNotCreateAt(HomePage, ClinicianPage)
        self.assertCanNotCreateAt(ContentPage, VisitPage)
        self.assertAllowedSubpageTypes(VisitPage, set())
        self.assertAllowedSubpageTypes(ClinicianPage, set())

    def test_pages_are_routable_and_renderable(self):
        home = self.toronto.home
        about = publish_new_child(home, ContentPage(title="About us", slug="about"))
        visit = publish_new_child(home, VisitPage(title="Visit us", slug="visit"))
        team = publish_new_child(home, TeamPage(title="Team", slug="team"))
        clinician = Clinician.objects.create(name="Dr Sam Lee", credentials="MD")
        profile = publish_new_child(
            team, ClinicianPage(title="Sam Lee", slug="sam-lee", clinician=clinician)
        )
        form = publish_new_child(
            home, AppointmentRequestPage(title="Request", slug="request")
        )
        for page in (about, visit, team, profile, form):
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)


# Menu, Visit us, booking box


def test_the_menu_lists_the_clinics_sections_shown_in_menus(client, clinic_sites):
    home = clinic_sites.toronto.home
    publish_new_child(
        home, ContentPage(title="About us", slug="about", show_in_menus=True)
    )
    publish_new_child(home, ContentPage(title="Hidden page", slug="hidden"))
    members = publish_new_child(
        home, ContentPage(title="Members area", slug="members", show_in_menus=True)
    )
    PageViewRestriction.objects.create(page=members, restriction_type="login")
    publish_new_child(
        clinic_sites.kelowna.home,
        ContentPage(title="Kelowna about", slug="about", show_in_menus=True),
    )
    html = client.get(
        "/", HTTP_HOST=host_of(clinic_sites.toronto.site)
    ).content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    assert "Treatments" in nav and "About us" in nav
    assert nav.index("Treatments") < nav.index("About us")  # the editors' order
    for absent in ("Hidden page", "Members area", "Kelowna about"):
        assert absent not in nav


def test_visit_page_shows_the_clinic_and_loads_nothing_from_the_internet(
    client, clinic_sites
):
    settings = clinic_sites.kelowna.settings
    settings.transit_notes = "Bus 97 stops at the door."
    settings.accessibility_notes = "Step-free entrance on the north side."
    settings.save()
    page = publish_new_child(
        clinic_sites.kelowna.home, VisitPage(title="Visit us", slug="visit")
    )
    html = get_page(client, page, clinic_sites.kelowna.site).content.decode()
    for text in (
        "2 Kelowna Avenue",
        "Tuesday–Saturday: 8:00–16:00",
        "+1 250-555-0199",
        "Bus 97 stops at the door.",
        "Step-free entrance on the north side.",
    ):
        assert text in html
    assert (
        'href="https://www.openstreetmap.org/search?query=2+Kelowna+Avenue%2C+Kelowna%2C+BC"'
        in html
    )
    # A link only: no script, image, style or frame from another host.
    assert not re.search(r'<(script|img|iframe)[^>]+src="https?://', html)
    assert not re.search(
        r'<link[^>]+rel="(stylesheet|icon|preload)"[^>]+href="https?://', html
    )


def test_every_treatment_page_shows_the_booking_box_unless_turned_off(
    client, clinic_sites
):
    home = clinic_sites.toronto.home
    publish_new_child(home, AppointmentRequestPage(title="Request", slug="request"))
    page = make_treatment(clinic_sites.toronto.index, title="Boxed")
    html = get_page(client, page, clinic_sites.toronto.site).content.decode()
    box = re.search(r'<aside class="booking-box".*?</aside>', html, re.S).group(0)
    assert 'href="/request/"' in box
    assert "https://booking.example.com/toronto" in box
    assert "+1 416-555-0199" in box
    unboxed = make_treatment(
        clinic_sites.toronto.index, title="Unboxed", show_booking_box=False
    )
    html = get_page(client, unboxed, clinic_sites.toronto.site).content.decode()
    assert "booking-box" not in html


# Clinicians


@pytest.fixture
def team(clinic_sites):
    clinician = Clinician.objects.create(
        name="Dr Sam Lee",
        credentials="MD, CCFP",
        registration_body="College of Physicians and Surgeons of British Columbia",
        registration_number="12345",
        languages="English, Punjabi",
        biography="Sam sees patients with long-standing joint pain.",
    )
    team = publish_new_child(
        clinic_sites.kelowna.home, TeamPage(title="Our team", slug="team")
    )
    photo = make_image("Sam Lee", collection=clinic_sites.kelowna.collection)
    profile = publish_new_child(
        team,
        ClinicianPage(
            title="Sam Lee",
            slug="sam-lee",
            clinician=clinician,
            photo=photo,
            photo_alt_text="Sam Lee, smiling, in the clinic's reception",
        ),
    )
    treatment = make_treatment(clinic_sites.kelowna.index, title="Prolotherapy")
    treatment.providers = [clinician]
    treatment.save_revision().publish()
    other_clinic = make_treatment(clinic_sites.toronto.index, title="Toronto only")
    other_clinic.providers = [clinician]
    other_clinic.save_revision().publish()
    return clinician, team, profile, TreatmentPage.objects.get(pk=treatment.pk)


def test_clinician_profiles_link_both_ways(client, clinic_sites, team):
    clinician, team_page, profile, treatment = team
    site = clinic_sites.kelowna.site
    html = get_page(client, profile, site).content.decode()
    assert "Dr Sam Lee, MD, CCFP" in html
    assert "College of Physicians and Surgeons of British Columbia" in html
    assert "12345" in html and "English, Punjabi" in html
    assert 'alt="Sam Lee, smiling, in the clinic&#x27;s reception"' in html
    assert 'href="/treatments/prolotherapy/"' in html
    assert "Toronto only" not in html  # the other clinic's treatment
    listing = get_page(client, team_page, site).content.decode()
    assert 'href="/team/sam-lee/"' in listing
    treatment_html = get_page(client, treatment, site).content.decode()
    assert '<a href="/team/sam-lee/">Dr Sam Lee, MD, CCFP</a>' in treatment_html


def test_clinician_json_ld(client, clinic_sites, team):
    from .test_seo import json_ld

    clinician, team_page, profile, treatment = team
    data = json_ld(get_page(client, profile, clinic_sites.kelowna.site))
    assert data["@type"] == "Person"
    assert data["name"] == "Dr Sam Lee"
    assert data["memberOf"]["@type"] == "MedicalClinic"
    assert data["memberOf"]["name"] == "Kelowna Test Clinic"
    registration = next(
        c for c in data["hasCredential"] if c["credentialCategory"] == "licence"
    )
    assert registration["recognizedBy"]["name"].startswith("College of Physicians")
    assert registration["identifier"] == "12345"
    assert data["knowsLanguage"] == ["English", "Punjabi"]


def test_the_reviewing_clinician_is_the_same_person(clinic_sites, team, reviewer):
    from home.clinic_setup import ensure_reviewer

    clinician, *_ = team
    user, _ = ensure_reviewer("sam", "pw", name="Dr Sam Lee", credentials="MD, CCFP")
    assert Clinician.objects.filter(name="Dr Sam Lee").count() == 1
    assert Clinician.for_user(user) == clinician


def test_a_photo_needs_a_description(clinic_sites):
    from django.core.exceptions import ValidationError

    page = ClinicianPage(
        title="No alt",
        slug="no-alt",
        clinician=Clinician.objects.create(name="Dr Alt"),
        photo=make_image("Someone", collection=clinic_sites.kelowna.collection),
    )
    with pytest.raises(ValidationError, match="Describe the photo"):
        page.clean()


# Appointment requests


@pytest.fixture
def privacy_notices(clinic_sites):
    """Each clinic's published privacy notice, chosen in its settings."""
    for clinic in (clinic_sites.toronto, clinic_sites.kelowna):
        clinic.settings.privacy_page = publish_new_child(
            clinic.home, ContentPage(title="Privacy notice", slug="privacy")
        )
        clinic.settings.save()


@pytest.fixture
def request_page(clinic_sites, privacy_notices):
    return publish_new_child(
        clinic_sites.kelowna.home,
        AppointmentRequestPage(title="Request an appointment", slug="request"),
    )


def form_data(**changes):
    return {**PATIENT, "consent": "on", "website": "", **changes}


def post_request(client, page, site, data, **extra):
    return client.post(page.relative_url(site), data, HTTP_HOST=host_of(site), **extra)


def test_a_visitor_requests_an_appointment(
    client, clinic_sites, request_page, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    site = clinic_sites.kelowna.site
    form = get_page(client, request_page, site)
    assert form.status_code == 200
    html = form.content.decode()
    assert "do not include detailed health history" in html
    assert "no-cache" in form["Cache-Control"] and form.get("X-Cache") != "HIT"
    assert get_page(client, request_page, site).get("X-Cache") != "HIT"

    response = post_request(client, request_page, site, form_data())
    assert response.status_code == 302
    thanks = client.get(response.url, HTTP_HOST=host_of(site)).content.decode()
    assert "your request has reached the clinic" in thanks
    stored = AppointmentRequest.objects.get()
    assert stored.site == site and stored.source == "web"
    assert stored.read()["name"] == PATIENT["name"]


def test_nothing_is_in_plain_text_in_the_database(client, clinic_sites, request_page):
    post_request(client, request_page, clinic_sites.kelowna.site, form_data())
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(AppointmentRequest._meta.db_table)
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (our own table name)
        dump = json.dumps(cursor.fetchall(), default=str)
    for value in PATIENT.values():
        assert value not in dump
    assert AppointmentRequest.objects.count() == 1


def test_nothing_reaches_a_log_or_an_email(
    client, clinic_sites, request_page, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        post_request(client, request_page, clinic_sites.kelowna.site, form_data())
        post_request(
            client, request_page, clinic_sites.kelowna.site, form_data(consent="")
        )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for value in PATIENT.values():
        assert value not in logged
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kelowna@example.com"]
    everything = message.subject + message.body + message.alternatives[0][0]
    for value in PATIENT.values():
        assert value not in everything
    assert "/admin/appointment-requests/" in message.body
    assert "#2f6b3a" in message.alternatives[0][0]  # the clinic's brand colour


def test_a_mail_relay_that_is_down_loses_nothing(
    client,
    clinic_sites,
    request_page,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    def relay_down(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP relay")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", relay_down)
    site = clinic_sites.kelowna.site
    with (
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post_request(client, request_page, site, form_data())
    assert response.status_code == 302
    thanks = client.get(response.url, HTTP_HOST=host_of(site)).content.decode()
    assert "your request has reached the clinic" in thanks
    assert AppointmentRequest.objects.get().read()["name"] == PATIENT["name"]
    assert "no SMTP relay" in caplog.text
    for value in PATIENT.values():
        assert value not in caplog.text


@pytest.mark.parametrize("route", ["form", "api"])
def test_error_reports_never_show_the_request(
    client, clinic_sites, request_page, settings, route
):
    """Whatever fails while a request is handled (here: a key that is not a
    Fernet key), the error report Django builds for the operator (the debug
    page, the admins' email, an error tracker's frames) shows nothing of it."""
    from django.core.signals import got_request_exception
    from django.views.debug import ExceptionReporter

    settings.APPOINTMENT_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    reports = []

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_html() + reporter.get_traceback_text())

    got_request_exception.connect(report)
    client.raise_request_exception = False
    try:
        if route == "form":
            response = post_request(
                client, request_page, clinic_sites.kelowna.site, form_data()
            )
        else:
            response = client.post(
                "/api/v3/appointment-requests/",
                json.dumps({**PATIENT, "consent": True}),
                content_type="application/json",
                HTTP_HOST=host_of(clinic_sites.kelowna.site),
            )
    finally:
        got_request_exception.disconnect(report)
    assert response.status_code == 500
    assert reports and "ImproperlyConfigured" in reports[0]
    for value in PATIENT.values():
        assert value not in reports[0], value
    assert AppointmentRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent": ""}, "Please agree"),
        ({"email": "", "phone": ""}, "email address or a phone number"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_requests_are_form_errors_and_store_nothing(
    client, clinic_sites, request_page, changes, message
):
    response = post_request(
        client, request_page, clinic_sites.kelowna.site, form_data(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AppointmentRequest.objects.exists()


def test_spam_is_thanked_and_dropped(client, clinic_sites, request_page):
    response = post_request(
        client,
        request_page,
        clinic_sites.kelowna.site,
        form_data(website="http://spam"),
    )
    assert response.status_code == 302
    assert not AppointmentRequest.objects.exists()


def test_too_many_requests_from_one_address(client, clinic_sites, request_page):
    site = clinic_sites.kelowna.site
    for _ in range(5):
        assert post_request(client, request_page, site, form_data()).status_code == 302
    refused = post_request(client, request_page, site, form_data())
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert AppointmentRequest.objects.count() == 5


def test_no_privacy_notice_no_requests(client, clinic_sites, request_page):
    kelowna = clinic_sites.kelowna
    kelowna.settings.privacy_page.unpublish()
    form = get_page(client, request_page, kelowna.site).content.decode()
    assert "not open yet" in form and 'name="consent"' not in form
    refused = post_request(client, request_page, kelowna.site, form_data())
    assert refused.status_code == 409
    api = APIClient(client).post(
        "/api/v3/appointment-requests/",
        {**PATIENT, "consent": True},
        host=host_of(kelowna.site),
    )
    assert api.status_code == 409 and "privacy notice" in api.json()["detail"]
    clinic = APIClient(client).get("/api/v3/clinic/", host=host_of(kelowna.site))
    assert clinic.json()["privacy_notice_url"] is None
    assert AppointmentRequest.objects.count() == 0
    # Toronto's notice is live: its URL is in the clinic API.
    toronto = APIClient(client).get(
        "/api/v3/clinic/", host=host_of(clinic_sites.toronto.site)
    )
    assert toronto.json()["privacy_notice_url"].endswith("/privacy/")


def test_the_form_goes_live_only_with_a_privacy_notice(
    client, clinic_sites, privacy_notices, admin_user
):
    from wagtail.test.utils.form_data import nested_form_data

    kelowna = clinic_sites.kelowna
    kelowna.settings.privacy_page.unpublish()
    client.force_login(admin_user)
    add = reverse(
        "wagtailadmin_pages:add",
        args=["appointments", "appointmentrequestpage", kelowna.home.pk],
    )
    data = nested_form_data(
        {"title": "Request", "slug": "request", "intro": "", "thank_you": "Thanks."}
    )
    refused = client.post(add, {**data, "action-publish": "publish"})
    assert refused.status_code == 200
    assert "privacy notice" in refused.content.decode()
    assert not AppointmentRequestPage.objects.exists()
    kelowna.settings.privacy_page.save_revision().publish()
    published = client.post(add, {**data, "action-publish": "publish"})
    assert published.status_code == 302
    assert AppointmentRequestPage.objects.get().live


def test_typos_do_not_use_up_the_limit_and_an_empty_post_is_a_form_error(
    client, clinic_sites, request_page
):
    site = clinic_sites.kelowna.site
    for _ in range(6):
        typo = post_request(client, request_page, site, form_data(email="not-an-email"))
        assert typo.status_code == 400
    empty = client.post(request_page.relative_url(site), {}, HTTP_HOST=host_of(site))
    assert empty.status_code == 400
    assert "This field is required" in empty.content.decode()
    assert post_request(client, request_page, site, form_data()).status_code == 302
    for _ in range(4):
        post_request(client, request_page, site, form_data())
    # Rate limited now: an empty POST is still a form error, not a 500.
    empty = client.post(request_page.relative_url(site), {}, HTTP_HOST=host_of(site))
    assert empty.status_code == 400


def test_behind_a_proxy_each_visitor_has_their_own_limit(
    client, clinic_sites, request_page, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    site = clinic_sites.kelowna.site

    def from_visitor(address, spoofed=""):
        forwarded = f"{spoofed}, {address}" if spoofed else address
        return post_request(
            client,
            request_page,
            site,
            form_data(),
            REMOTE_ADDR="10.0.0.1",  # the proxy, for everyone
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    assert [from_visitor("203.0.113.7") for _ in range(5)] == [302] * 5
    assert from_visitor("203.0.113.7") == 429
    # What the client itself put in the header (left of the proxy's entry)
    # does not give it a new allowance.
    assert from_visitor("203.0.113.7", spoofed="198.51.100.99") == 429
    # Another visitor through the same proxy is not blocked.
    assert from_visitor("203.0.113.8") == 302


def test_the_api_takes_only_explicit_consent(client, clinic_sites, privacy_notices):
    api = APIClient(client)
    for consent in (1, "yes", "true"):
        refused = api.post(
            "/api/v3/appointment-requests/", {**PATIENT, "consent": consent}
        )
        assert refused.status_code == 422, consent
    assert AppointmentRequest.objects.count() == 0


def test_requests_are_deleted_after_the_clinics_retention_period(clinic_sites):
    settings = clinic_sites.kelowna.settings
    settings.appointment_retention_days = 30
    settings.save()
    old = AppointmentRequest.receive(clinic_sites.kelowna.site, PATIENT, "web")
    AppointmentRequest.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=31)
    )
    kept = AppointmentRequest.receive(clinic_sites.toronto.site, PATIENT, "web")
    AppointmentRequest.objects.filter(pk=kept.pk).update(
        received_at=timezone.now() - timedelta(days=31)  # Toronto keeps 90 days
    )
    call_command("purge_appointment_requests", verbosity=0)
    assert list(AppointmentRequest.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_api_takes_the_same_request(client, clinic_sites, privacy_notices):
    api = APIClient(client)
    operation = openapi_document()["paths"]["/api/v3/appointment-requests/"]["post"]
    assert operation["summary"] == "Request an appointment at the clinic"
    assert set(operation["responses"]) == {"201", "400", "404", "409", "422", "429"}
    response = api.post(
        "/api/v3/appointment-requests/",
        {**PATIENT, "consent": True},
        host="kelowna.localhost:8000",
    )
    assert response.status_code == 201, response.content
    assert AppointmentRequest.objects.get().site == clinic_sites.kelowna.site
    refused = api.post("/api/v3/appointment-requests/", {**PATIENT, "consent": False})
    assert refused.status_code == 422
    no_contact = api.post(
        "/api/v3/appointment-requests/",
        {**PATIENT, "email": "", "phone": "", "consent": True},
    )
    assert no_contact.status_code == 422
    assert "phone number" in no_contact.content.decode()
    spam = api.post(
        "/api/v3/appointment-requests/",
        {**PATIENT, "consent": True, "website": "x"},
    )
    assert spam.status_code == 201
    assert AppointmentRequest.objects.count() == 1
    not_json = client.post(
        "/api/v3/appointment-requests/",
        data="{name",
        content_type="application/json",
        HTTP_HOST="kelowna.localhost:8000",
    )
    assert not_json.status_code == 400 and not_json.json()["detail"]
    unknown_clinic = api.post(
        "/api/v3/appointment-requests/?site=999", {**PATIENT, "consent": True}
    )
    assert unknown_clinic.status_code == 404, unknown_clinic.content
    assert AppointmentRequest.objects.count() == 1


def test_the_api_limits_requests_from_one_address(
    client, clinic_sites, privacy_notices
):
    api = APIClient(client)
    answers = [
        api.post(
            "/api/v3/appointment-requests/",
            {**PATIENT, "consent": True},
            host="kelowna.localhost:8000",
        )
        for _ in range(6)
    ]
    assert [answer.status_code for answer in answers] == [201] * 5 + [429]
    assert "call the clinic" in answers[-1].json()["detail"]
    assert AppointmentRequest.objects.count() == 5


# Who may read them


@pytest.fixture
def reception(clinic_sites):
    from django.contrib.auth.models import Group

    user, _ = ensure_user(
        "kelowna-desk",
        "pw",
        groups=[Group.objects.get(name="Kelowna Test Clinic reception")],
    )
    return user


def test_only_the_clinics_reception_reads_and_every_read_is_recorded(
    client, clinic_sites, reception, editors, reviewer
):
    mine = AppointmentRequest.receive(clinic_sites.kelowna.site, PATIENT, "web")
    theirs = AppointmentRequest.receive(
        clinic_sites.toronto.site, {**PATIENT, "name": "Toronto Patient"}, "web"
    )
    client.force_login(reception)
    listing = client.get(reverse("appointment_requests:index")).content.decode()
    assert PATIENT["name"] not in listing  # the list shows no personal details
    assert reverse("appointment_requests:detail", args=[mine.pk]) in listing
    assert reverse("appointment_requests:detail", args=[theirs.pk]) not in listing
    detail = client.get(reverse("appointment_requests:detail", args=[mine.pk]))
    assert PATIENT["name"] in detail.content.decode()
    assert (
        client.get(reverse("appointment_requests:detail", args=[theirs.pk])).status_code
        == 404
    )
    assert client.get(reverse("appointment_requests:export")).status_code == 405
    export = client.post(reverse("appointment_requests:export")).content.decode()
    assert PATIENT["name"] in export and "Toronto Patient" not in export
    # Asking for the other clinic by ?site= gives nothing of it.
    other = {"site": str(clinic_sites.toronto.site.pk)}
    assert (
        "Toronto Patient"
        not in client.post(
            reverse("appointment_requests:export"), other
        ).content.decode()
    )
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(mine.pk)).values_list(
            "action", "user"
        )
    )
    assert ("appointments.read", reception.pk) in actions
    assert ("appointments.export", reception.pk) in actions

    for outsider in (editors.kelowna, editors.toronto, reviewer):
        client.force_login(outsider)
        for url in (
            reverse("appointment_requests:index"),
            reverse("appointment_requests:detail", args=[mine.pk]),
            reverse("appointment_requests:export"),
        ):
            for method in (client.get, client.post):
                response = method(url)
                assert PATIENT["name"] not in response.content.decode()
                assert response.status_code in (302, 403, 404, 405)


@pytest.mark.parametrize("site", ["²", "-1", "1.5", "x", "99999999999999999999999"])
def test_the_reception_admin_refuses_a_malformed_clinic(client, reception, site):
    client.force_login(reception)
    listing = client.get(reverse("appointment_requests:index"), {"site": site})
    assert listing.status_code == 400
    export = client.post(reverse("appointment_requests:export"), {"site": site})
    assert export.status_code == 400


def test_the_reception_reads_times_in_the_clinics_own_zone(
    client, clinic_sites, reception
):
    kelowna = clinic_sites.kelowna.settings
    kelowna.time_zone = "America/Vancouver"
    kelowna.save()
    stored = AppointmentRequest.receive(clinic_sites.kelowna.site, PATIENT, "web")
    # 07:08 UTC on 2 March is 23:08 on 1 March in Kelowna.
    stored.received_at = datetime(2026, 3, 2, 7, 8, tzinfo=UTC)
    stored.save()
    client.force_login(reception)
    listing = client.get(reverse("appointment_requests:index")).content.decode()
    assert "1 March 2026, 23:08 PST" in listing
    detail = client.get(reverse("appointment_requests:detail", args=[stored.pk]))
    assert "1 March 2026, 23:08 PST" in detail.content.decode()
    export = client.post(reverse("appointment_requests:export")).content.decode()
    assert "2026-03-01T23:08:00-08:00" in export


def test_the_export_never_hands_a_spreadsheet_a_formula(
    client, clinic_sites, reception
):
    formula = '=HYPERLINK("http://attacker.example","Open")'
    AppointmentRequest.receive(
        clinic_sites.kelowna.site, {**PATIENT, "name": formula, "reason": "+1"}, "web"
    )
    client.force_login(reception)
    export = client.post(reverse("appointment_requests:export")).content.decode()
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[1][3] == "'" + formula and rows[1][-1] == "'+1"


def test_a_request_no_key_can_read_is_shown_as_such(
    client, clinic_sites, reception, settings
):
    from cryptography.fernet import Fernet

    stored = AppointmentRequest.receive(clinic_sites.kelowna.site, PATIENT, "web")
    AppointmentRequest.receive(
        clinic_sites.kelowna.site, {**PATIENT, "name": "Second Patient"}, "web"
    )
    # The key it was written with is gone; a new one is configured.
    settings.APPOINTMENT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    client.force_login(reception)
    detail = client.get(reverse("appointment_requests:detail", args=[stored.pk]))
    assert detail.status_code == 200
    assert "cannot be decrypted" in detail.content.decode()
    export = client.post(reverse("appointment_requests:export"))
    assert export.status_code == 200
    assert export.content.decode().count("cannot be decrypted") == 2


def test_retention_is_the_operators_and_never_zero(client, clinic_sites, editors):
    from home.models import ClinicSettings

    field = ClinicSettings._meta.get_field("appointment_retention_days")
    for days in (0, 3651):
        with pytest.raises(ValidationError):
            field.clean(days, ClinicSettings())
    site = clinic_sites.kelowna.site
    client.force_login(editors.kelowna)
    url = reverse("wagtailsettings:edit", args=["home", "clinicsettings", site.pk])
    form = client.get(url).content.decode()
    assert 'name="appointment_retention_days"' not in form


def test_the_reception_group_holds_only_its_clinics_permission(clinic_sites):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Kelowna Test Clinic reception")
    assert list(
        GroupSitePermission.objects.filter(group=group).values_list(
            "site_id", "permission__codename"
        )
    ) == [(clinic_sites.kelowna.site.pk, "read_appointmentrequest")]
    editors = clinic_sites.kelowna.editors
    assert not GroupSitePermission.objects.filter(
        group=editors, permission__codename="read_appointmentrequest"
    ).exists()


# Brand and the demo


def test_each_clinic_has_its_own_icon(client, clinic_sites):
    icon = make_image(
        "Kelowna icon", collection=clinic_sites.kelowna.collection, size=(64, 64)
    )
    settings = clinic_sites.kelowna.settings
    settings.favicon = icon
    settings.save()
    kelowna = client.get("/favicon.ico", HTTP_HOST=host_of(clinic_sites.kelowna.site))
    toronto = client.get("/favicon.ico", HTTP_HOST=host_of(clinic_sites.toronto.site))
    assert kelowna.status_code == toronto.status_code == 302
    assert "/media/images/" in kelowna.url
    assert toronto.url.endswith("img/favicon.png")


def test_clinic_settings_refuse_another_clinics_images(clinic_sites):
    from django.core.exceptions import ValidationError

    settings = clinic_sites.kelowna.settings
    settings.logo = make_image(
        "Toronto logo", collection=clinic_sites.toronto.collection
    )
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "logo" in error.value.message_dict


def test_the_demo_has_a_whole_site_for_each_clinic(client):
    call_command("seed_demo", "--port", "8123", verbosity=0)
    for host in ("toronto.localhost:8123", "kelowna.localhost:8123"):
        home = client.get("/", HTTP_HOST=host).content.decode()
        nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', home, re.S).group(1)
        for section in (
            "Treatments",
            "Our team",
            "About us",
            "Visit us",
            "Request an appointment",
        ):
            assert section in nav, (host, section)
        assert f'<link rel="canonical" href="http://{host}/">' in home
        for path in (
            "/about/",
            "/visit/",
            "/team/",
            "/team/riley-reviewer/",
            "/privacy/",
        ):
            assert client.get(path, HTTP_HOST=host).status_code == 200, (host, path)
        form = client.get("/request-an-appointment/", HTTP_HOST=host).content.decode()
        assert 'href="/privacy/"' in form  # the consent links the privacy notice
        treatment = client.get(
            "/treatments/prolotherapy/", HTTP_HOST=host
        ).content.decode()
        assert 'href="/team/riley-reviewer/"' in treatment
        assert 'class="hero-image"' in treatment and 'class="hero-image"' in home
    # Run again on another port: the sites move, nothing is duplicated.
    call_command("seed_demo", "--port", "8124", verbosity=0)
    assert sorted(Page.objects.type(HomePage).values_list("slug", flat=True)) == [
        "kelowna",
        "toronto",
    ]
    assert client.get("/", HTTP_HOST="kelowna.localhost:8124").status_code == 200


def test_the_api_docs_are_the_clinic_api(client, clinic_sites):
    docs = client.get("/api/v3/docs/", HTTP_HOST=host_of(clinic_sites.toronto.site))
    assert b"Clinic CMS API" in docs.content
    info = openapi_document()["info"]
    assert "?site=" in info["description"] and "API tokens" in info["description"]


def test_the_demo_prints_its_addresses_once_with_its_port():
    out = io.StringIO()
    call_command("seed_demo", "--port", "8123", stdout=out)
    printed = out.getvalue()
    for address in (
        "http://toronto.localhost:8123/",
        "http://kelowna.localhost:8123/",
        "http://toronto.localhost:8123/admin/",
    ):
        assert printed.count(address + " ") + printed.count(address + "\n") == 1
    assert ":8000" not in printed


def test_make_demo_serves_on_its_port_on_this_machine_only():
    project = Path(__file__).resolve().parent.parent
    plan = subprocess.run(  # noqa: S603 (our own Makefile)
        [shutil.which("make"), "-n", "demo", "PORT=8123"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "seed_demo --port 8123" in plan
    assert "WAGTAILADMIN_BASE_URL=http://toronto.localhost:8123" in plan
    assert "runserver 127.0.0.1:8123" in plan
    # The demo's settings show the clinic's own error pages, not Django's.
    debug = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.DEBUG)",
        ],
        cwd=project,
        env={
            **{name: value for name, value in os.environ.items() if name != "DEBUG"},
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert debug == "False"


# What the page cache keeps


def test_a_section_change_reaches_the_menu_of_every_cached_page(
    client, clinic_sites, team, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    site = clinic_sites.kelowna.site
    _, _, _, treatment = team

    def menu():
        response = get_page(client, treatment, site)
        html = response.content.decode()
        nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
        return response.get("X-Cache"), nav

    menu()
    assert menu()[0] == "HIT"
    section = publish_new_child(
        clinic_sites.kelowna.home,
        ContentPage(title="Fees and insurance", slug="fees", show_in_menus=True),
    )
    cache_state, nav = menu()
    assert cache_state != "HIT" and "Fees and insurance" in nav
    assert menu()[0] == "HIT"
    PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.LOGIN
    )
    cache_state, nav = menu()
    assert cache_state != "HIT" and "Fees and insurance" not in nav


def test_a_section_moved_away_leaves_the_menu_of_every_cached_page(
    client, clinic_sites, team, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    site = clinic_sites.kelowna.site
    treatment = team[3]
    section = publish_new_child(
        clinic_sites.kelowna.home,
        ContentPage(title="Fees and insurance", slug="fees", show_in_menus=True),
    )

    def menu():
        response = get_page(client, treatment, site)
        html = response.content.decode()
        nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
        return response.get("X-Cache"), nav

    assert "Fees and insurance" in menu()[1]
    assert menu()[0] == "HIT"
    # Under another page: no longer a section of the clinic.
    section.move(clinic_sites.kelowna.index, pos="last-child")
    cache_state, nav = menu()
    assert cache_state != "HIT" and "Fees and insurance" not in nav


def test_clinician_changes_reach_the_cached_pages_that_show_them(
    client, clinic_sites, team, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    site = clinic_sites.kelowna.site
    clinician, _, profile, treatment = team
    for page in (treatment, profile):
        get_page(client, page, site)
        assert get_page(client, page, site).get("X-Cache") == "HIT"
    clinician.name = "Dr Samira Lee"
    clinician.save()
    for page in (treatment, profile):
        response = get_page(client, page, site)
        assert response.get("X-Cache") != "HIT"
        assert "Dr Samira Lee" in response.content.decode()
    # A new treatment the clinician provides reaches their cached profile.
    assert get_page(client, profile, site).get("X-Cache") == "HIT"
    another = make_treatment(clinic_sites.kelowna.index, title="Nerve blocks")
    another.providers = [clinician]
    another.save_revision().publish()
    response = get_page(client, profile, site)
    assert (
        response.get("X-Cache") != "HIT" and "Nerve blocks" in response.content.decode()
    )
    # Unpublishing the profile reaches the treatment pages that linked it.
    assert get_page(client, treatment, site).get("X-Cache") == "HIT"
    profile.unpublish()
    response = get_page(client, treatment, site)
    assert response.get("X-Cache") != "HIT"
    assert profile.url_path.split("/")[-2] not in response.content.decode()


def test_the_notification_shows_the_clinics_logo(
    client, clinic_sites, request_page, django_capture_on_commit_callbacks
):
    kelowna = clinic_sites.kelowna
    kelowna.settings.logo = make_image("Kelowna logo", collection=kelowna.collection)
    kelowna.settings.save()
    with django_capture_on_commit_callbacks(execute=True):
        post_request(client, request_page, kelowna.site, form_data())
    message = mail.outbox[0].message()
    parts = {part.get("Content-ID"): part for part in message.walk()}
    assert parts["<clinic-logo>"].get_content_type() == "image/png"
    assert 'src="cid:clinic-logo"' in mail.outbox[0].alternatives[0][0]
