"""Accessibility in a real browser: axe-core audits every page type of both
clinics at phone and desktop widths, and the FAQ works from the keyboard.

axe-core comes from the npm registry (package.json, installed by `make test`)
and is injected into each page; nothing is fetched from the internet.
"""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings

from .helpers import full_body, make_image, make_treatment

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback restores the
    # root page that Wagtail's migrations create after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
PAGE_KINDS = {
    "home": "/",
    "index": "/treatments/",
    "treatment": "/treatments/prolotherapy/",
    "search": "/search/?q=prolotherapy",
    "not-found": "/treatments/no-such-page/",
    "about": "/about/",
    "visit": "/visit/",
    "team": "/team/",
    "clinician": "/team/riley-reviewer/",
    "request-form": "/request-an-appointment/",
}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        reason = f"{AXE} is missing (run `make install`: npm ci)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"Accessibility tests cannot run in CI: {reason}", pytrace=False
            )
        pytest.skip(reason)
    return AXE.read_text()


@pytest.fixture
def clinics_with_content(live_clinics):
    """Both clinics with a treatment and the demo's other pages (About, Visit
    us, the team, a clinician, the request form) and brand images."""
    from home.demo_images import clinic_images
    from home.management.commands.seed_demo import demo_clinician, dress_clinic

    for clinic in (live_clinics.toronto, live_clinics.kelowna):
        images = clinic_images(
            clinic.settings.name, clinic.settings.brand_colour, clinic.collection
        )
        dress_clinic(clinic, images)
        image = make_image(title=f"{clinic.site.hostname} treatment room")
        page = make_treatment(
            clinic.index,
            title="Prolotherapy",
            body=full_body(image=image),
            hero_image=image,
        )
        page.providers = [demo_clinician()]
        page.save_revision().publish()
    return live_clinics


def serious_violations(page, axe_source):
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("clinic_name", ["toronto", "kelowna"])
def test_every_page_type_passes_axe_at_phone_and_desktop_widths(
    browser, clinics_with_content, axe_source, screenshots, clinic_name
):
    clinic = getattr(clinics_with_content, clinic_name)
    failures = {}
    for width_name, (width, height) in VIEWPORTS.items():
        # bypass_csp: our Content-Security-Policy rightly refuses inline
        # scripts, and the audit injects axe-core as one.
        context = browser.new_context(
            viewport={"width": width, "height": height}, bypass_csp=True
        )
        page = context.new_page()
        for kind, path in PAGE_KINDS.items():
            response = page.goto(clinic.url + path)
            expected_status = 404 if kind == "not-found" else 200
            assert response.status == expected_status, (kind, response.status)
            # The clinic's own frame on every page, the 404 included.
            assert clinic.settings.name in page.inner_text("header")
            page.screenshot(
                path=screenshots / f"{clinic_name}-{kind}-{width_name}.png",
                full_page=True,
            )
            violations = serious_violations(page, axe_source)
            if violations:
                failures[f"{kind} ({width_name})"] = violations
        context.close()
    assert not failures, failures
    assert len(list(screenshots.glob("*.png"))) == len(PAGE_KINDS) * len(VIEWPORTS)


def test_faq_works_with_the_keyboard_only(browser, clinics_with_content):
    clinic = clinics_with_content.kelowna
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(clinic.url + "/treatments/prolotherapy/")
    first_question = page.locator(".block-faq summary").first
    answer = page.locator(".block-faq .faq-answer").first
    assert not answer.is_visible()

    # Tab from the top of the page until the first question has focus.
    for _ in range(60):
        page.keyboard.press("Tab")
        if first_question.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("The FAQ question never received keyboard focus")

    # The focus is visible: an outline drawn around the question.
    outline = first_question.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"

    page.keyboard.press("Enter")
    assert answer.is_visible()
    assert "Answer one" in answer.inner_text()
    page.keyboard.press("Space")
    assert not answer.is_visible()


def test_skip_link_moves_focus_to_the_main_content(browser, clinics_with_content):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(clinics_with_content.toronto.url + "/treatments/prolotherapy/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize("clinic_name", ["toronto", "kelowna"])
def test_a_visitor_requests_an_appointment(
    browser, clinics_with_content, screenshots, clinic_name
):
    from appointments.models import AppointmentRequest

    clinic = getattr(clinics_with_content, clinic_name)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(clinic.url + "/")
    page.get_by_role("link", name="Request an appointment").first.click()
    page.get_by_label("Your name").fill("Morgan Example")
    page.get_by_label("Phone").fill("+1 555-0100")
    page.get_by_label("When suits you").fill("Weekday mornings")
    page.get_by_role("button", name="Send my request").click()
    # Without the consent the form says what is missing and keeps the rest.
    assert "Please agree" in page.inner_text("main")
    assert page.get_by_label("Your name").input_value() == "Morgan Example"
    page.get_by_label("I agree").check()
    page.screenshot(path=screenshots / f"{clinic_name}-form.png", full_page=True)
    page.get_by_role("button", name="Send my request").click()
    page.get_by_role("status").wait_for()
    assert "Request received" in page.inner_text("main")
    page.screenshot(path=screenshots / f"{clinic_name}-thank-you.png", full_page=True)
    stored = AppointmentRequest.objects.get(site=clinic.site)
    assert stored.read()["name"] == "Morgan Example"


def test_the_demo_for_the_readme(browser, live_server, screenshots):
    """The demo as `make demo` seeds it: each clinic's home and prolotherapy
    pages, the README's screenshots (docs/screenshots/ holds copies)."""
    from django.core.management import call_command

    port = int(live_server.url.rsplit(":", 1)[1])
    call_command("seed_demo", port=port, stdout=io.StringIO())
    for name in ("toronto", "kelowna"):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://{name}.localhost:{port}/")
        assert page.locator("img.hero-image").count() == 1
        assert page.locator("img.brand-logo").count() == 1
        page.screenshot(path=screenshots / f"{name}-home.png", full_page=True)
        page.goto(f"http://{name}.localhost:{port}/treatments/prolotherapy/")
        assert "Book an appointment" in page.inner_text("main")
        page.screenshot(path=screenshots / f"{name}-prolotherapy.png", full_page=True)
        page.close()
