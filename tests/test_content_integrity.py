"""Clinical content integrity, as its users meet it: the editor whose risky
wording is refused with the list, the reviewer who approves (with a reason
when the check finds errors), the operator who cannot publish around the
review, the visitor who sees who reviewed the page and when, and the tools
that read findings through the API and the command."""

import datetime
import io
import json
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, streamfield

from treatments.models import TreatmentPage
from treatments.review import OVERRIDE_LOG_ACTION, clinic_today

from .api.support import APIClient, token_for
from .helpers import (
    get_page,
    list_items,
    make_treatment,
    mark_reviewed,
    risks_value,
)

pytestmark = pytest.mark.django_db

RISKY_BENEFIT = "Fortunately, prolotherapy has no serious side effects."
HONEST_BENEFIT = "Some people report less pain after a course of injections."


def benefits_value(text):
    return {
        "heading": "Benefits",
        "intro": "",
        "items": list_items([{"title": "Relief", "text": text, "references": ""}]),
    }


def form(title, benefit, *, action="action-submit", extra=None):
    data = nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "summary": "A treatment for chronic pain.",
            "body": streamfield(
                [("benefits", benefits_value(benefit)), ("risks", risks_value())]
            ),
            **(extra or {}),
        }
    )
    if action:
        data[action] = action
    return data


def add_url(index):
    return reverse(
        "wagtailadmin_pages:add", args=["treatments", "treatmentpage", index.pk]
    )


# The editor


def test_submitting_risky_wording_is_refused_with_the_list(
    client, clinic_sites, editors
):
    client.force_login(editors.kelowna)
    response = client.post(
        add_url(clinic_sites.kelowna.index), form("Risky page", RISKY_BENEFIT)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "BC-safety" in html
    assert "no serious side effects" in html
    assert "CPSBC" in html  # the source, for the clinic's province
    assert not TreatmentPage.objects.filter(slug="risky-page").exists()


def test_honest_wording_goes_to_medical_review(client, clinic_sites, editors):
    client.force_login(editors.kelowna)
    response = client.post(
        add_url(clinic_sites.kelowna.index), form("Honest page", HONEST_BENEFIT)
    )
    assert response.status_code == 302
    page = TreatmentPage.objects.get(slug="honest-page")
    assert page.workflow_in_progress and not page.live


def test_a_draft_with_findings_can_still_be_saved(client, clinic_sites, editors):
    client.force_login(editors.kelowna)
    response = client.post(
        add_url(clinic_sites.kelowna.index),
        form("Draft page", RISKY_BENEFIT, action=None),
    )
    assert response.status_code == 302
    assert TreatmentPage.objects.filter(slug="draft-page").exists()


def test_the_checks_panel_shows_findings_and_updates_from_the_form(
    client, clinic_sites, editors
):
    page = make_treatment(clinic_sites.toronto.index, title="Panel page")
    client.force_login(editors.toronto)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    html = edit.content.decode()
    assert "data-health-advertising" in html
    assert "treatments/js/findings-panel.js" in html

    url = reverse("treatment_findings_edit", args=[page.pk])
    checked = client.post(url, form("Panel page", RISKY_BENEFIT, action=None)).json()
    assert checked["errors"] == 1
    assert (
        "ON-safety" in checked["html"] and "no serious side effects" in checked["html"]
    )
    fixed = client.post(url, form("Panel page", HONEST_BENEFIT, action=None)).json()
    assert fixed["errors"] == 0

    new = reverse(
        "treatment_findings_add",
        args=["treatments", "treatmentpage", clinic_sites.toronto.index.pk],
    )
    assert client.post(new, form("New", RISKY_BENEFIT, action=None)).json()["errors"]
    # Not for the other clinic's pages.
    client.force_login(editors.kelowna)
    assert (
        client.post(url, form("Panel page", RISKY_BENEFIT, action=None)).status_code
        == 404
    )


def test_report_lists_live_pages_with_findings_per_clinic(
    client, clinic_sites, editors, admin_client
):
    body = [
        {
            "type": "benefits",
            "value": {
                "heading": "Benefits",
                "items": [{"title": "Relief", "text": RISKY_BENEFIT}],
            },
        }
    ]
    make_treatment(clinic_sites.toronto.index, title="Flagged Toronto", body=body)
    make_treatment(clinic_sites.kelowna.index, title="Flagged Kelowna", body=body)
    url = reverse("health_advertising_report")
    client.force_login(editors.toronto)
    html = client.get(url).content.decode()
    assert "Flagged Toronto" in html and "Flagged Kelowna" not in html
    assert "ON-safety" in html
    html = admin_client.get(url).content.decode()
    assert "Flagged Toronto" in html and "Flagged Kelowna" in html


# The reviewer


def submitted_with_findings(clinic_sites, reviewer, client):
    """A page with an error finding, submitted by a reviewer (who may)."""
    client.force_login(reviewer)
    page = make_treatment(clinic_sites.toronto.index, title="Needs override")
    page.unpublish()
    page.summary = "Prolotherapy is completely safe."
    page.save_revision()
    page.get_workflow().start(page, reviewer)
    return TreatmentPage.objects.get(pk=page.pk)


def task_state_of(page):
    return (
        WorkflowState.objects.for_instance(page)
        .get(status=WorkflowState.STATUS_IN_PROGRESS)
        .current_task_state
    )


def test_reviewers_see_approve_and_request_changes_only(
    client, clinic_sites, editors, reviewer
):
    client.force_login(editors.toronto)
    client.post(add_url(clinic_sites.toronto.index), form("In review", HONEST_BENEFIT))
    page = TreatmentPage.objects.get(slug="in-review")
    client.force_login(reviewer)
    html = client.get(
        reverse("wagtailadmin_pages:edit", args=[page.pk])
    ).content.decode()
    assert "Approve and publish" in html
    assert "Request changes" in html
    assert 'name="action-publish"' not in html
    assert "Save draft" not in html
    assert "Approve with comment" not in html


def test_approval_with_findings_needs_a_reason_kept_in_history(
    client, clinic_sites, reviewer
):
    page = submitted_with_findings(clinic_sites, reviewer, client)
    state = task_state_of(page)
    actions = [name for name, _, _ in state.task.specific.get_actions(page, reviewer)]
    assert actions == ["reject", "approve_override"]
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[page.pk, "approve", state.pk],
    )
    client.post(url, {"comment": ""})  # plain approval is not on offer
    assert not TreatmentPage.objects.get(pk=page.pk).live
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[page.pk, "approve_override", state.pk],
    )
    client.post(url, {"comment": ""}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert not TreatmentPage.objects.get(pk=page.pk).live  # no reason, no approval
    client.post(url, {"override_reason": "Wording agreed with the college."})
    page = TreatmentPage.objects.get(pk=page.pk)
    assert page.live and page.current_review
    entry = PageLogEntry.objects.get(page=page, action=OVERRIDE_LOG_ACTION)
    assert entry.data["reason"] == "Wording agreed with the college."
    assert entry.data["findings"][0]["rule"] == "ON-safety"
    # Later reviewers see it beside the content, and it is in the history.
    page.summary = "Prolotherapy is completely safe, still."
    page.save_revision()
    page.get_workflow().start(page, reviewer)
    html = client.get(
        reverse("wagtailadmin_pages:edit", args=[page.pk])
    ).content.decode()
    assert "Earlier approvals despite findings" in html
    assert "Wording agreed with the college." in html
    admin_client = client
    admin_client.force_login(type(reviewer).objects.create_superuser("op", "", "pw"))
    history = admin_client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
    assert "Approved despite" in history.content.decode()


def test_approving_in_the_editor_says_approved_and_published(
    client, clinic_sites, editors, reviewer
):
    client.force_login(editors.toronto)
    client.post(add_url(clinic_sites.toronto.index), form("Approve me", HONEST_BENEFIT))
    page = TreatmentPage.objects.get(slug="approve-me")
    client.force_login(reviewer)
    data = form("Approve me", HONEST_BENEFIT, action=None)
    data["action-workflow-action"] = "true"
    data["workflow-action-name"] = "approve"
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), data, follow=True
    )
    assert "was approved and published" in response.content.decode()
    assert TreatmentPage.objects.get(pk=page.pk).live


# Nobody publishes around the review


def test_the_api_cannot_publish_a_treatment_page(clinic_sites, client, reviewer):
    api = APIClient(client)
    page = make_treatment(clinic_sites.toronto.index, title="API page")
    page.title = "API page, changed"
    page.save_revision()
    token = token_for(reviewer)
    response = api.post(f"/api/v3/pages/{page.pk}/actions/publish/", {}, token=token)
    assert response.status_code == 403
    response = api.patch(
        f"/api/v3/pages/{page.pk}/",
        {
            "meta": {"type": "treatments.TreatmentPage", "action": "publish"},
            "title": "Published by PATCH",
        },
        token=token,
    )
    assert response.status_code == 403
    assert TreatmentPage.objects.get(pk=page.pk).title == "API page"


# Visitors


def test_visitors_see_who_reviewed_and_when_the_next_review_is_due(
    client, clinic_sites
):
    page = make_treatment(clinic_sites.kelowna.index, title="Reviewed page")
    mark_reviewed(page, datetime.date(2026, 1, 31))
    html = get_page(client, page, clinic_sites.kelowna.site).content.decode()
    assert "Medically reviewed by Dr Test Reviewer, MD on" in html
    assert '<time datetime="2026-01-31">31 January 2026</time>' in html
    assert '<time datetime="2027-01-31">31 January 2027</time>' in html  # 12 months
    settings = clinic_sites.kelowna.settings
    settings.review_interval_months = 1
    settings.save()
    html = get_page(client, page, clinic_sites.kelowna.site).content.decode()
    assert '<time datetime="2026-02-28">28 February 2026</time>' in html

    page.summary = "Changed and published without review."
    page.save_revision().publish()
    html = get_page(client, page, clinic_sites.kelowna.site).content.decode()
    assert "Medically reviewed by" not in html


def test_review_dates_are_in_the_clinics_time_zone(monkeypatch, clinic_sites):
    # 06:30 UTC on 1 March is 01:30 in Toronto but 22:30 on 28 February in
    # Vancouver: each clinic's page is dated in its own time zone.
    moment = datetime.datetime(2026, 3, 1, 6, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    toronto = make_treatment(clinic_sites.toronto.index, title="T")
    kelowna = make_treatment(clinic_sites.kelowna.index, title="K")
    assert clinic_today(toronto) == datetime.date(2026, 3, 1)
    assert clinic_today(kelowna) == datetime.date(2026, 2, 28)


def test_json_ld_dates_agree_with_the_page(client, clinic_sites):
    from .test_seo import by_type, json_ld

    page = make_treatment(clinic_sites.kelowna.index, title="Dated page")
    late = datetime.datetime(2026, 3, 1, 6, 30, tzinfo=datetime.UTC)
    TreatmentPage.objects.filter(pk=page.pk).update(last_published_at=late)
    mark_reviewed(page, datetime.date(2026, 2, 28))
    data = json_ld(get_page(client, page, clinic_sites.kelowna.site))
    webpage = by_type(data, "MedicalWebPage")
    assert webpage["dateModified"] == webpage["lastReviewed"] == "2026-02-28"


# Evidence


def references_body(numbers="1"):
    return [
        {
            "type": "benefits",
            "value": {
                "heading": "Benefits",
                "items": [
                    {"title": "Relief", "text": HONEST_BENEFIT, "references": numbers}
                ],
            },
        },
        {
            "type": "risks",
            "value": {
                "heading": "Risks",
                "items": [{"title": "Soreness", "text": "At the injection site."}],
                "evidence_note": "The evidence is limited.",
                "evidence_references": "1",
            },
        },
        {
            "type": "references",
            "value": {
                "heading": "References",
                "items": [
                    {
                        "title": "A source title",
                        "source": "Its authors",
                        "year": 2019,
                        "doi": "10.1000/example",
                    }
                ],
            },
        },
    ]


def test_references_render_as_a_numbered_list_and_json_ld_citations(
    client, clinic_sites
):
    from .test_seo import by_type, json_ld

    page = make_treatment(
        clinic_sites.toronto.index, title="Cited", body=references_body()
    )
    response = get_page(client, page, clinic_sites.toronto.site)
    html = response.content.decode()
    assert '<ol class="references">' in html and 'id="reference-1"' in html
    assert 'href="#reference-1"' in html  # from the benefit and the evidence note
    assert "https://doi.org/10.1000/example" in html
    citation = by_type(json_ld(response), "MedicalWebPage")["citation"]
    assert citation == [
        {
            "@type": "CreativeWork",
            "name": "A source title",
            "author": "Its authors",
            "datePublished": "2019",
            "url": "https://doi.org/10.1000/example",
            "identifier": "doi:10.1000/example",
        }
    ]


def test_a_pointer_to_a_missing_reference_is_refused(client, clinic_sites, editors):
    api = APIClient(client)
    body = references_body(numbers="1, 4")
    response = api.post(
        "/api/v3/pages/",
        {
            "meta": {
                "type": "treatments.TreatmentPage",
                "parent_id": clinic_sites.toronto.index.pk,
            },
            "title": "Bad pointer",
            "summary": "A summary.",
            "body": body,
        },
        token=token_for(editors.toronto),
    )
    assert response.status_code == 422
    assert "reference 4" in response.content.decode()


# Tools


def test_token_holders_who_may_edit_read_the_findings(client, clinic_sites, editors):
    api = APIClient(client)
    body = [
        {
            "type": "benefits",
            "value": {
                "heading": "Benefits",
                "items": [{"title": "R", "text": RISKY_BENEFIT}],
            },
        }
    ]
    page = make_treatment(clinic_sites.toronto.index, title="Checked", body=body)
    path = f"/api/v3/pages/{page.pk}/findings/"
    response = api.get(path, token=token_for(editors.toronto))
    assert response.status_code == 200
    rules = {f["rule"] for f in response.json()["findings"]}
    assert {"ON-safety", "ON-no-risks", "ON-benefits-without-evidence"} <= rules
    assert api.get(path).status_code == 401
    assert api.get(path, token=token_for(editors.kelowna)).status_code == 403
    kelowna = api.get(
        path, host="kelowna.localhost:8000", token=token_for(editors.kelowna)
    )
    assert kelowna.status_code == 404  # not that clinic's page


def run_command(args, stdin, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    try:
        call_command("check_claims", *args, stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue()


def test_check_claims_command(monkeypatch, clinic_sites):
    code, out = run_command(["--province", "ON", "--json"], RISKY_BENEFIT, monkeypatch)
    assert code == 1
    finding = json.loads(out)["findings"][0]
    assert set(finding) == {"rule", "severity", "excerpt", "message"}
    assert finding["rule"] == "ON-safety"

    code, out = run_command(["--province", "BC"], HONEST_BENEFIT, monkeypatch)
    assert (code, out.strip()) == (0, "No findings.")

    lines = "\n".join(
        json.dumps({"id": n, "text": t})
        for n, t in [(1, RISKY_BENEFIT), ("b", HONEST_BENEFIT)]
    )
    code, out = run_command(["--province", "BC", "--jsonl"], lines, monkeypatch)
    assert code == 1
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == [1, "b"]
    assert results[0]["findings"][0]["rule"] == "BC-safety"
    assert results[1]["findings"] == []

    page = make_treatment(clinic_sites.kelowna.index, title="Commanded")
    code, out = run_command(["--page", str(page.pk), "--json"], "", monkeypatch)
    assert code == 0
    assert all(f["rule"].startswith("BC-") for f in json.loads(out)["findings"])


@pytest.mark.parametrize(
    "args",
    [["--province", "QC"], ["--page", "999999"], []],
)
def test_check_claims_usage_errors_exit_2(monkeypatch, args):
    from django.core.management import CommandError

    monkeypatch.setattr(sys, "stdin", io.StringIO("text"))
    with pytest.raises(CommandError) as error:
        call_command("check_claims", *args)
    assert error.value.returncode == 2


def test_before_and_after_images_need_recorded_consent(clinic_sites):
    from treatments.claims.checker import check_page

    from .helpers import make_image

    image = make_image(
        "Knee before and after", collection=clinic_sites.toronto.collection
    )

    def page_with(consent):
        body = [
            {
                "type": "image",
                "value": {
                    "image": image.pk,
                    "alt_text": "A knee, before and after treatment",
                    "caption": "",
                    "consent_recorded": consent,
                },
            },
            {
                "type": "risks",
                "value": {
                    "heading": "Risks",
                    "items": [{"title": "Soreness", "text": "At the injection site."}],
                    "evidence_note": "Limited.",
                },
            },
        ]
        return make_treatment(
            clinic_sites.toronto.index, title=f"Photos {consent}", body=body
        )

    rules = {f.rule for f in check_page(page_with(False), "ON")}
    assert "ON-before-after-consent" in rules
    rules = {f.rule for f in check_page(page_with(True), "ON")}
    assert "ON-before-after-consent" not in rules


def test_the_review_queue_names_each_pages_clinic(clinic_sites):
    toronto = make_treatment(clinic_sites.toronto.index, title="Queue page")
    kelowna = make_treatment(clinic_sites.kelowna.index, title="Queue page")
    assert toronto.get_admin_display_title() == "Queue page · Toronto Test Clinic"
    assert kelowna.get_admin_display_title() == "Queue page · Kelowna Test Clinic"
