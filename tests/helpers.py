"""Plain helpers that build content the way an editor would."""

from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.test.utils.form_data import rich_text

from home.clinic_setup import publish_new_child
from treatments.blocks import TreatmentStreamBlock
from treatments.models import TreatmentPage


def make_image(
    title="Test image", colour="steelblue", size=(1600, 900), collection=None
):
    buffer = BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    image = get_image_model()(
        title=title, file=ImageFile(buffer, name=f"{title.replace(' ', '-')}.png")
    )
    if collection is not None:
        image.collection = collection
    image.save()
    return image


def full_body(image=None, link_page=None):
    """A body with one block of every type, each with recognisable text."""
    body = [
        {
            "type": "mechanism",
            "value": {
                "heading": "Mechanism heading",
                "intro": "Mechanism intro text",
                "steps": [
                    {"title": "Step one title", "explanation": "Step one explanation"},
                    {"title": "Step two title", "explanation": "Step two explanation"},
                ],
            },
        },
        {
            "type": "indications",
            "value": {
                "heading": "Indications heading",
                "intro": "",
                "conditions": [
                    {"name": "Condition alpha", "description": "Alpha description"},
                    {"name": "Condition beta", "description": ""},
                ],
            },
        },
        {
            "type": "benefits",
            "value": {
                "heading": "Benefits heading",
                "intro": "",
                "items": [
                    {
                        "title": "Benefit title",
                        "text": "Benefit text",
                        "references": "1",
                    }
                ],
            },
        },
        {
            "type": "risks",
            "value": {
                "heading": "Risks heading",
                "intro": "",
                "items": [{"title": "Soreness title", "text": "Soreness text"}],
                "evidence_note": "Evidence is limited note",
            },
        },
        {
            "type": "faq",
            "value": {
                "heading": "FAQ heading",
                "items": [
                    {"question": "Question one?", "answer": "<p>Answer <b>one</b></p>"},
                    {"question": "Question two?", "answer": "<p>Answer two</p>"},
                ],
            },
        },
        {
            "type": "rich_text",
            "value": {"heading": "Rich heading", "body": "<p>Rich <i>body</i></p>"},
        },
        {
            "type": "references",
            "value": {
                "heading": "References heading",
                "items": [
                    {
                        "title": "Reference title",
                        "source": "Reference source",
                        "year": 2020,
                        "link": "",
                        "doi": "10.1000/test-reference",
                    }
                ],
            },
        },
        {
            "type": "call_to_action",
            "value": {
                "heading": "CTA heading",
                "text": "CTA text",
                "button_label": "Book now label",
                "link_page": link_page.pk if link_page else None,
                "link_url": "",
            },
        },
    ]
    if image is not None:
        body.append(
            {
                "type": "image",
                "value": {
                    "image": image.pk,
                    "alt_text": "Alt text of the image",
                    "caption": "Caption of the image",
                },
            }
        )
    return body


def make_treatment(
    index, title="Prolotherapy", slug=None, body=None, summary=None, **kw
):
    """Create and publish a TreatmentPage under a clinic's treatment index."""
    page = TreatmentPage(
        title=title,
        slug=slug or title.lower().replace(" ", "-"),
        summary=summary or f"Summary of {title}",
        body=TreatmentStreamBlock().to_python(
            body if body is not None else full_body()
        ),
        **kw,
    )
    return publish_new_child(index, page)


def get_page(client, page, site, **extra):
    """GET a page through its own site's Host header.

    With two Sites ``page.url`` is absolute and the test client would drop the
    host, so request the site-relative URL with the site's Host.
    """
    host = site.hostname if site.port == 80 else f"{site.hostname}:{site.port}"
    return client.get(page.relative_url(site), HTTP_HOST=host, **extra)


def host_of(site):
    return site.hostname if site.port == 80 else f"{site.hostname}:{site.port}"


# Admin form data for StreamField blocks (the nested format the editor posts)


def list_items(items):
    """Form data for a ListBlock: one entry per child value."""
    data = {"count": str(len(items))}
    for i, value in enumerate(items):
        data[str(i)] = {"value": value, "deleted": "", "order": str(i), "id": ""}
    return data


def faq_value(question):
    return {
        "heading": "Questions",
        "items": list_items(
            [{"question": question, "answer": rich_text("<p>Yes.</p>")}]
        ),
    }


def risks_value(evidence_note="The evidence is limited."):
    return {
        "heading": "Risks",
        "intro": "",
        "items": list_items(
            [{"title": "Soreness", "text": "At the injection site.", "references": ""}]
        ),
        "evidence_note": evidence_note,
        "evidence_references": "",
    }


def mechanism_value(step_title):
    return {
        "heading": "How it works",
        "intro": "",
        "steps": list_items([{"title": step_title, "explanation": "Explained."}]),
    }


def post_new_treatment(client, index, body, *, action="submit", **fields):
    """Post the admin's "add treatment page" form under ``index``.

    ``body`` is a list of (block type, form value) pairs; ``fields`` override
    the title, slug and summary.
    """
    from django.urls import reverse
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    data = nested_form_data(
        {
            "title": "New treatment",
            "slug": "new-treatment",
            "summary": "A new treatment.",
            **fields,
            "body": streamfield(body),
        }
    )
    data[f"action-{action}"] = action
    url = reverse(
        "wagtailadmin_pages:add", args=("treatments", "treatmentpage", index.pk)
    )
    return client.post(url, data)


# Editorial roles (see home/clinic_setup.py)


def make_editor(clinic, username):
    """A staff account in the clinic's editors group, as add_clinic sets up."""
    from home.clinic_setup import ensure_user

    user, _ = ensure_user(username, "editor-pass", groups=[clinic.editors])
    return user


def make_reviewer(username="reviewer", name="Dana Reviewer", credentials="ND"):
    from home.clinic_setup import ensure_reviewer

    user, _ = ensure_reviewer(
        username, "reviewer-pass", name=name, credentials=credentials
    )
    return user


def make_document(title, collection):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(
        title=title,
        file=ContentFile(b"Aftercare instructions", name=f"{title}.txt"),
        collection=collection,
    )
    document.save()
    return document


def mark_reviewed(page, on, clinician=None):
    """Record a medical review of what is live now, as approval does."""
    from treatments.models import Clinician, TreatmentPage

    clinician = (
        clinician
        or Clinician.objects.get_or_create(
            name="Dr Test Reviewer", defaults={"credentials": "MD"}
        )[0]
    )
    page.refresh_from_db()
    TreatmentPage.objects.filter(pk=page.pk).update(
        reviewed_by=clinician, last_reviewed=on, reviewed_revision=page.live_revision
    )
    page.refresh_from_db()
    return page
