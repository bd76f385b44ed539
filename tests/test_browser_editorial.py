"""In a real browser: a clinic editor writes a treatment, a clinician approves it."""

import pytest
from django.utils import timezone

from treatments.models import TreatmentPage

from .browser import log_in, wait_for_redirect
from .helpers import make_editor, make_reviewer

# serialized_rollback: other transactional tests flush the root page and root
# collection that Wagtail's migrations create; this restores them first.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def add_block(page, label):
    """Open the body's last block picker ("+") and choose the block ``label``."""
    page.locator(".c-sf-add-button").last.click()
    page.get_by_role("option", name=label).first.click()


def open_action_menu(page):
    page.locator(
        "footer .dropdown-toggle, footer [data-w-dropdown-target=toggle]"
    ).last.click()


def test_editor_writes_reviewer_approves(browser, live_clinics, screenshots):
    toronto, kelowna = live_clinics.toronto, live_clinics.kelowna
    make_editor(toronto, "toronto-editor")
    make_reviewer("reviewer", name="Dana Reviewer", credentials="ND")

    # A Toronto editor writes a treatment with an FAQ and a risks block.
    editor = log_in(
        browser.new_context(viewport={"width": 1280, "height": 1800}),
        toronto.url,
        "toronto-editor",
        "editor-pass",
    )
    editor.goto(
        f"{toronto.url}/admin/pages/add/treatments/treatmentpage/{toronto.index.pk}/"
    )
    editor.fill("#id_title", "Sweet injections")
    editor.fill("#id_summary", "A regenerative injection treatment, reviewed.")
    add_block(editor, "FAQ")
    editor.fill("input[name='body-0-value-items-0-value-question']", "Does it hurt?")
    editor.locator("[contenteditable=true]").first.click()
    editor.keyboard.type("A little, for a day or two.")
    add_block(editor, "Risks")
    editor.fill("input[name='body-1-value-items-0-value-title']", "Soreness")
    editor.fill(
        "textarea[name='body-1-value-items-0-value-text']", "Usually settles in days."
    )
    editor.screenshot(path=screenshots / "1-editor-writing.png", full_page=True)

    # ... and submits it: there is no publish button for an editor.
    open_action_menu(editor)
    assert editor.locator("button[name=action-publish]").count() == 0
    editor.locator("button[name=action-submit]").click()
    wait_for_redirect(editor, f"{toronto.url}/admin/pages/{toronto.index.pk}/")
    page = TreatmentPage.objects.get(slug="sweet-injections")
    assert not page.live
    assert page.current_workflow_state.workflow.name == "Medical review"

    # The Toronto editor's explorer shows Toronto, never Kelowna's tree.
    editor.goto(f"{toronto.url}/admin/pages/")
    explorer = editor.content()
    assert "Toronto Test Clinic" in explorer
    assert f"/admin/pages/{kelowna.index.pk}/" not in explorer
    editor.goto(f"{toronto.url}/admin/pages/{kelowna.index.pk}/")
    assert "Kelowna" not in editor.locator("main").inner_text()
    editor.screenshot(path=screenshots / "2-editor-explorer.png", full_page=True)

    # A medical reviewer approves it.
    reviewer = log_in(
        browser.new_context(viewport={"width": 1280, "height": 1800}),
        toronto.url,
        "reviewer",
        "reviewer-pass",
    )
    reviewer.goto(f"{toronto.url}/admin/pages/{page.pk}/edit/")
    open_action_menu(reviewer)
    reviewer.locator("button[data-workflow-action-name=approve]").first.click()
    reviewer.wait_for_load_state("networkidle")
    page.refresh_from_db()
    assert page.live
    assert page.reviewed_by.name == "Dana Reviewer"
    assert page.last_reviewed == timezone.localdate()

    # Live on Toronto, with the review line; absent from Kelowna.
    visitor = browser.new_context(viewport={"width": 1280, "height": 1800}).new_page()
    response = visitor.goto(f"{toronto.url}/treatments/sweet-injections/")
    assert response.status == 200
    body = visitor.locator("main").inner_text()
    assert "Does it hurt?" in body
    assert "Soreness" in body
    assert "Medically reviewed by Dana Reviewer, ND" in body
    assert "Toronto Test Clinic" in visitor.locator("header.site-header").inner_text()
    visitor.screenshot(path=screenshots / "3-published-page.png", full_page=True)
    response = visitor.goto(f"{kelowna.url}/treatments/sweet-injections/")
    assert response.status == 404


def test_findings_beside_the_content_update_as_the_editor_types(
    browser, live_clinics, screenshots
):
    """A Kelowna editor writes risky wording: the checks panel shows the
    finding with its rule, submitting is refused with the list, and the
    finding goes once the wording is honest."""
    kelowna = live_clinics.kelowna
    make_editor(kelowna, "kelowna-editor")
    editor = log_in(
        browser.new_context(viewport={"width": 1400, "height": 1400}),
        kelowna.url,
        "kelowna-editor",
        "editor-pass",
    )
    editor.goto(
        f"{kelowna.url}/admin/pages/add/treatments/treatmentpage/{kelowna.index.pk}/"
    )
    editor.fill("#id_title", "Sweet injections")
    editor.locator("[data-side-panel-toggle=checks]").click()
    findings = editor.locator("[data-health-advertising] [data-findings-list]")
    editor.locator("#id_summary").press_sequentially(
        "Book a free consultation this month. Prolotherapy is completely safe."
    )
    findings.locator("[data-finding-rule=BC-inducement]").wait_for()
    findings.locator("[data-finding-rule=BC-safety]").wait_for()
    assert "completely safe" in findings.inner_text()
    assert "CPSBC" in findings.inner_text()
    editor.locator("[data-health-advertising]").screenshot(
        path=screenshots / "findings-panel.png"
    )
    editor.screenshot(path=screenshots / "1-findings-beside-content.png")

    add_block(editor, "Risks")
    editor.fill("input[name='body-0-value-items-0-value-title']", "Soreness")
    editor.fill(
        "textarea[name='body-0-value-items-0-value-text']", "Usually settles in days."
    )
    open_action_menu(editor)
    editor.locator("button[name=action-submit]").click()
    editor.wait_for_load_state("networkidle")
    editor.screenshot(path=screenshots / "2-submission-refused.png")
    messages = editor.locator(".messages, .help-block.help-critical, .error-message")
    assert "health-advertising check found" in editor.locator("body").inner_text()
    assert messages.count()
    # Saved as a draft at most (the editor autosaves), never sent to review.
    draft = TreatmentPage.objects.filter(slug="sweet-injections").first()
    assert draft is None or not draft.workflow_in_progress

    summary = editor.locator("#id_summary")
    summary.fill("")
    summary.press_sequentially("An injection treatment that may help some people.")
    findings.locator("[data-findings-none]").wait_for()
    open_action_menu(editor)
    editor.locator("button[name=action-submit]").click()
    wait_for_redirect(editor, f"{kelowna.url}/admin/pages/{kelowna.index.pk}/")
    assert TreatmentPage.objects.get(slug="sweet-injections").workflow_in_progress
