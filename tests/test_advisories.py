"""Regression tests for Wagtail's published security advisories that touch our
features, run against our configuration:

- stored XSS through page titles and StreamField block content (CVE-2021-32681
  and friends): everything a user typed is escaped on the public page;
- stored XSS through the revision comparison view (CVE-2020-11001);
- javascript: links and script in rich text: the admin's editor filters them,
  and so must every other way in (our v3 API accepts rich text as HTML);
- preview endpoints that render crafted form data without edit permission
  (CVE-2025, GHSA for "preview" missing authorization).

Permission checks on history, revision compare, copy, settings and choosers
are in tests/test_permissions.py (the cross-clinic matrix).
"""

import json

import pytest
from django.urls import reverse
from wagtail.models import Revision
from wagtail.test.utils.form_data import nested_form_data, streamfield

from treatments.models import TreatmentPage

from .api.support import APIClient, token_for
from .helpers import (
    faq_value,
    get_page,
    list_items,
    make_treatment,
    post_new_treatment,
    risks_value,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
HOSTILE_RICH_TEXT = (
    "<p>Fine <b>bold</b> text "
    '<a href="javascript:alert(1)">click</a> '
    '<a href="https://example.com/ok" onclick="alert(2)">safe link</a>'
    '<img src="x" onerror="alert(3)"></p>'
    f"{SCRIPT}"
    '<iframe src="https://example.com"></iframe>'
)


def hostile_body():
    return [
        {
            "type": "mechanism",
            "value": {
                "heading": f"Heading {SCRIPT}",
                "intro": f"Intro {SCRIPT}",
                "steps": [{"title": f"Step {SCRIPT}", "explanation": SCRIPT}],
            },
        },
        {
            "type": "indications",
            "value": {
                "heading": "Treats",
                "intro": "",
                "conditions": [{"name": f"Pain {SCRIPT}", "description": SCRIPT}],
            },
        },
        {
            "type": "risks",
            "value": {
                "heading": "Risks",
                "intro": "",
                "items": [{"title": f"Soreness {SCRIPT}", "text": SCRIPT}],
                "evidence_note": f"Evidence {SCRIPT}",
            },
        },
        {
            "type": "faq",
            "value": {
                "heading": "FAQ",
                "items": [{"question": f"Why {SCRIPT}?", "answer": "<p>Fine.</p>"}],
            },
        },
        {
            "type": "call_to_action",
            "value": {
                "heading": f"Book {SCRIPT}",
                "text": SCRIPT,
                "button_label": f"Go {SCRIPT}"[:40],
                "link_page": None,
                "link_url": "",
            },
        },
    ]


def assert_no_active_content(html):
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "onerror=" not in html
    assert "onclick=" not in html
    assert "<iframe" not in html


def test_typed_text_is_escaped_everywhere_on_the_page(client, clinic_sites):
    page = make_treatment(
        clinic_sites.toronto.index,
        title=f"Title {SCRIPT}",
        slug="hostile",
        summary=f"Summary {SCRIPT}",
        body=hostile_body(),
    )

    html = get_page(client, page, clinic_sites.toronto.site).content.decode()

    assert "<script>alert" not in html
    # Shown as the text that was typed, in each block.
    assert html.count("&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;") >= 10


@pytest.fixture
def api(client):
    return APIClient(client)


def test_rich_text_written_through_the_api_is_filtered(
    api, client, admin_client, clinic_sites, editors
):
    body = [
        {
            "type": "faq",
            "value": {
                "heading": "FAQ",
                "items": [{"question": "Is it safe?", "answer": HOSTILE_RICH_TEXT}],
            },
        },
        {
            "type": "rich_text",
            "value": {"heading": "About", "body": HOSTILE_RICH_TEXT},
        },
    ]
    response = api.post(
        "/api/v3/pages/",
        {
            "meta": {
                "type": "treatments.TreatmentPage",
                "parent_id": clinic_sites.toronto.index.pk,
            },
            "title": "Written with hostile rich text",
            "slug": "hostile-rich-text",
            "summary": "Through the API",
            "body": body,
        },
        token=token_for(editors.toronto),
    )
    assert response.status_code == 201, response.content
    page = TreatmentPage.objects.get(slug="hostile-rich-text")
    stored = page.get_latest_revision_as_object()
    for block in stored.body:
        source = (
            block.value["items"][0]["answer"].source
            if block.block_type == "faq"
            else block.value["body"].source
        )
        assert_no_active_content(source)
        # What the design allows survives.
        assert "<b>bold</b>" in source
        assert 'href="https://example.com/ok"' in source

    stored.save_revision().publish()
    html = get_page(client, page, clinic_sites.toronto.site).content.decode()
    assert_no_active_content(html)
    assert "safe link" in html


def test_rich_text_links_to_pages_survive_the_filter(clinic_sites):
    index = clinic_sites.toronto.index
    page = make_treatment(
        index,
        title="Linked",
        body=[
            {
                "type": "rich_text",
                "value": {
                    "heading": "See also",
                    "body": f'<p><a linktype="page" id="{index.pk}">all treatments</a></p>',
                },
            }
        ],
    )
    source = TreatmentPage.objects.get(pk=page.pk).body[0].value["body"].source
    assert f'<a linktype="page" id="{index.pk}">all treatments</a>' in source


@pytest.mark.parametrize(
    "address", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"]
)
def test_call_to_action_refuses_script_addresses(admin_client, clinic_sites, address):
    cta = {
        "heading": "Book",
        "text": "",
        "button_label": "Book",
        "link_page": "",
        "link_url": address,
    }
    response = post_new_treatment(
        admin_client,
        clinic_sites.toronto.index,
        [("call_to_action", cta)],
        slug="bad-button",
    )
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert not TreatmentPage.objects.filter(slug="bad-button").exists()


def test_revision_comparison_escapes_block_content(admin_client, clinic_sites):
    page = make_treatment(clinic_sites.toronto.index, title="Compared")
    first = page.latest_revision
    page.title = f"Compared {SCRIPT}"
    page.body = [("faq", {"heading": f"FAQ {SCRIPT}", "items": []})]
    page.save_revision()
    second = Revision.objects.for_instance(page).latest("created_at")

    response = admin_client.get(
        reverse(
            "wagtailadmin_pages:revisions_compare",
            args=[page.pk, first.pk, second.pk],
        )
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_preview_of_crafted_data_needs_edit_permission(client, clinic_sites, editors):
    """A Kelowna editor cannot have a Toronto page rendered with their data."""
    toronto_page = make_treatment(clinic_sites.toronto.index, title="Toronto page")
    client.force_login(editors.kelowna)
    data = nested_form_data(
        {
            "title": "Injected preview",
            "slug": toronto_page.slug,
            "summary": "Injected",
            "body": streamfield([("faq", faq_value("Injected?"))]),
        }
    )
    urls = [
        reverse("wagtailadmin_pages:preview_on_edit", args=[toronto_page.pk]),
        reverse(
            "wagtailadmin_pages:preview_on_add",
            args=["treatments", "treatmentpage", clinic_sites.toronto.index.pk],
        ),
    ]
    for url in urls:
        posted = client.post(url, data)
        assert posted.status_code in (302, 403, 404), url
        shown = client.get(url)
        assert shown.status_code in (302, 403, 404), url
        assert "Injected" not in shown.content.decode()


def test_script_links_posted_to_the_editor_are_dropped(admin_client, clinic_sites):
    """The admin path: a hand-crafted Draftail state with a javascript: link
    (what an attacker posts instead of using the editor) is filtered."""
    contentstate = {
        "blocks": [
            {
                "key": "a1b2c",
                "text": "click here",
                "type": "unstyled",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [{"offset": 0, "length": 10, "key": 0}],
            }
        ],
        "entityMap": {
            "0": {
                "type": "LINK",
                "mutability": "MUTABLE",
                "data": {"url": "javascript:alert(1)"},
            }
        },
    }
    faq = {
        "heading": "FAQ",
        "items": list_items(
            [{"question": "Safe?", "answer": json.dumps(contentstate)}]
        ),
    }
    response = post_new_treatment(
        admin_client,
        clinic_sites.toronto.index,
        [("faq", faq), ("risks", risks_value())],
        slug="editor-rich-text",
    )
    assert response.status_code == 302
    page = TreatmentPage.objects.get(slug="editor-rich-text")
    draft = page.get_latest_revision_as_object()
    source = draft.body[0].value["items"][0]["answer"].source
    assert "click here" in source
    assert_no_active_content(source)
