"""Nothing unpublished, private or of the other clinic leaks out.

A matrix: every page state below × every public way to read content × two
viewers (an anonymous visitor, and the other clinic's editor, logged in and
with an API token). Each page carries a marker word in its slug, title,
summary and body; a leak is the marker in any response. Positive controls
check that the same endpoints do show a normal live page, so the matrix
cannot pass by showing nothing.
"""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import Collection, PageViewRestriction

from home.clinic_setup import publish_new_child
from treatments.blocks import TreatmentStreamBlock
from treatments.models import TreatmentPage

from .api.support import token_for
from .helpers import make_document, make_image, make_treatment

pytestmark = pytest.mark.django_db

TORONTO = "toronto.localhost:8000"


def marked_page(marker, **fields):
    """A treatment page whose every text field carries ``marker``."""
    body = [
        {
            "type": "faq",
            "value": {
                "heading": f"Questions about {marker}",
                "items": [{"question": f"What is {marker}?", "answer": "<p>A.</p>"}],
            },
        }
    ]
    return TreatmentPage(
        title=f"Treatment {marker}",
        slug=marker,
        summary=f"Summary {marker}",
        body=TreatmentStreamBlock().to_python(body),
        **fields,
    )


# Page states, each built in Toronto (or Kelowna, for "other clinic")


def draft(clinics):
    page = marked_page("draftmarker", live=False)
    clinics.toronto.index.add_child(instance=page)
    page.save_revision()
    return page


def unpublished_change(clinics):
    page = make_treatment(clinics.toronto.index, title="Steady", slug="steady")
    page.title = "Treatment changemarker"
    page.summary = "Summary changemarker"
    page.save_revision()
    return page


def restricted(restriction_type, marker, **extra):
    def build(clinics):
        page = publish_new_child(clinics.toronto.index, marked_page(marker))
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=restriction_type, **extra
        )
        if restriction_type == PageViewRestriction.GROUPS:
            restriction.groups.add(Group.objects.create(name="Clinic staff only"))
        return page

    return build


def child_of_restricted(clinics):
    # TreatmentPage has no children, so the restriction is on the treatment
    # index above it: every treatment of the clinic becomes private.
    page = publish_new_child(clinics.toronto.index, marked_page("childmarker"))
    PageViewRestriction.objects.create(
        page=clinics.toronto.index, restriction_type=PageViewRestriction.LOGIN
    )
    return page


def scheduled(clinics):
    page = marked_page("schedmarker", live=False)
    clinics.toronto.index.add_child(instance=page)
    page.go_live_at = timezone.now() + datetime.timedelta(days=7)
    page.save_revision().publish()  # approved, waiting for its date
    return page


def expired(clinics):
    page = publish_new_child(clinics.toronto.index, marked_page("expiredmarker"))
    TreatmentPage.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("publish_scheduled", verbosity=0)
    return page


def other_clinic(clinics):
    return publish_new_child(clinics.kelowna.index, marked_page("kelownamarker"))


STATES = {
    "draft": (draft, "draftmarker"),
    "unpublished-change": (unpublished_change, "changemarker"),
    "login-restricted": (
        restricted(PageViewRestriction.LOGIN, "loginmarker"),
        "loginmarker",
    ),
    "password-restricted": (
        restricted(PageViewRestriction.PASSWORD, "passmarker", password="s3cret"),
        "passmarker",
    ),
    "group-restricted": (
        restricted(PageViewRestriction.GROUPS, "groupmarker"),
        "groupmarker",
    ),
    "child-of-restricted": (child_of_restricted, "childmarker"),
    "scheduled": (scheduled, "schedmarker"),
    "expired": (expired, "expiredmarker"),
    "other-clinic": (other_clinic, "kelownamarker"),
}


# Viewers


@dataclass
class Viewer:
    client: Client
    token: str | None = None

    def get(self, path, api_v3=False):
        headers = {"HTTP_HOST": TORONTO}
        if api_v3 and self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        return self.client.get(path, follow=True, **headers)


def viewer_for(kind, editors):
    if kind == "anonymous":
        return Viewer(Client())
    client = Client()
    client.force_login(editors.kelowna)
    return Viewer(client, token=token_for(editors.kelowna))


# Endpoints


def shows(response, marker):
    """Does the response show the page's content or address? (Not just the
    word searched for, which a search page rightly repeats, or a login
    redirect's ?next=.)"""
    text = re.sub(r"</?mark>", "", response.content.decode())  # search highlights
    return any(
        needle in text
        for needle in (
            f"Treatment {marker}",
            f"Summary {marker}",
            f"What is {marker}",
            f"/{marker}/</loc>",  # the sitemap lists addresses only
        )
    )


def endpoints(page, marker):
    path = page.url_path.split("/", 2)[2]  # drop the clinic's home slug
    path = "/" + path
    return {
        "html-page": (f"{path}", False),
        "html-index": ("/treatments/", False),
        "html-home": ("/", False),
        "search": (f"/search/?q={marker}", False),
        "sitemap": ("/sitemap.xml", False),
        "v2-list": ("/api/v2/pages/?fields=*", False),
        "v2-search": (f"/api/v2/pages/?search={marker}&fields=*", False),
        "v2-detail": (f"/api/v2/pages/{page.pk}/", False),
        "v2-find": (f"/api/v2/pages/find/?html_path={path}", False),
        "v3-list": ("/api/v3/pages/?limit=100", True),
        "v3-search": (f"/api/v3/pages/?search={marker}", True),
        "v3-detail": (f"/api/v3/pages/{page.pk}/", True),
        "v3-draft": (f"/api/v3/pages/{page.pk}/?version=draft", True),
        "v3-find": (f"/api/v3/pages/find/?html_path={path}", True),
    }


@pytest.mark.parametrize("viewer_kind", ["anonymous", "other-clinic-editor"])
@pytest.mark.parametrize("state", list(STATES))
def test_nothing_leaks(clinic_sites, editors, state, viewer_kind):
    build, marker = STATES[state]
    page = build(clinic_sites)
    viewer = viewer_for(viewer_kind, editors)

    leaks = {}
    for name, (path, api_v3) in endpoints(page, marker).items():
        response = viewer.get(path, api_v3=api_v3)
        if response.status_code >= 500 or shows(response, marker):
            leaks[name] = (path, response.status_code)
    assert not leaks, f"{state} page leaks to {viewer_kind} through {leaks}"


def test_controls_show_a_normal_page_everywhere(clinic_sites, editors):
    """The same endpoints, for a live public page of the host's own clinic."""
    page = publish_new_child(clinic_sites.toronto.index, marked_page("ctrlmarker"))
    for kind in ("anonymous", "other-clinic-editor"):
        viewer = viewer_for(kind, editors)
        missing = {}
        for name, (path, api_v3) in endpoints(page, "ctrlmarker").items():
            response = viewer.get(path, api_v3=api_v3)
            if name == "v3-draft" and kind == "other-clinic-editor":
                # Drafts are for those who may edit the page, even when the
                # live page is public.
                if response.status_code != 404:
                    missing[name] = (path, response.status_code)
                continue
            if response.status_code != 200 or not shows(response, "ctrlmarker"):
                missing[name] = (path, response.status_code)
        assert not missing, f"{kind} cannot see a public page through {missing}"


# Images and documents


@pytest.fixture
def media(clinic_sites):
    kelowna_image = make_image(
        title="kelownaimagemarker", collection=clinic_sites.kelowna.collection
    )
    kelowna_document = make_document(
        "kelownadocmarker", clinic_sites.kelowna.collection
    )
    private = Collection.get_first_root_node().add_child(name="Private records")
    private.view_restrictions.create(restriction_type="login")
    private_document = make_document("privatedocmarker", private)
    own_image = make_image(
        title="torontoimagemarker", collection=clinic_sites.toronto.collection
    )
    own_document = make_document("torontodocmarker", clinic_sites.toronto.collection)
    return {
        "kelowna_image": kelowna_image,
        "kelowna_document": kelowna_document,
        "private_document": private_document,
        "own_image": own_image,
        "own_document": own_document,
    }


@pytest.mark.parametrize("viewer_kind", ["anonymous", "other-clinic-editor"])
def test_image_and_document_listings_stay_within_the_clinic(
    media, editors, viewer_kind
):
    viewer = viewer_for(viewer_kind, editors)
    images = viewer.get("/api/v2/images/?limit=100").content.decode()
    documents = viewer.get("/api/v2/documents/?limit=100").content.decode()
    assert "kelownaimagemarker" not in images
    assert "kelownadocmarker" not in documents
    assert "privatedocmarker" not in documents
    for pk in (media["kelowna_image"].pk,):
        assert viewer.get(f"/api/v2/images/{pk}/").status_code == 404
    for document in (media["kelowna_document"], media["private_document"]):
        assert viewer.get(f"/api/v2/documents/{document.pk}/").status_code == 404
    # Controls: the clinic's own image and document are listed.
    assert "torontoimagemarker" in images
    assert "torontodocmarker" in documents
