"""Each clinic's editors work in their own clinic and cannot reach another's."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Page

from treatments.models import Clinician, TreatmentPage

from .helpers import make_document, make_image, make_treatment

pytestmark = pytest.mark.django_db

REFUSED = {403, 404}


def is_refused(response):
    """403, 404, or Wagtail's own refusal: back to the dashboard with an error.

    Wagtail's admin answers PermissionDenied on a normal (non-AJAX) request
    with a redirect to the dashboard and "Sorry, you do not have permission".
    """
    if response.status_code in REFUSED:
        return True
    if response.status_code == 302 and response.url == reverse("wagtailadmin_home"):
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        return any("do not have permission" in m for m in messages)
    return False


@pytest.fixture
def clinic_objects(clinic_sites, editors):
    """Per clinic: a treatment page with a draft, an image and a document."""
    objects = {}
    for key in ("toronto", "kelowna"):
        clinic = getattr(clinic_sites, key)
        page = make_treatment(clinic.index, title=f"{key.title()} Prolotherapy")
        page.title = f"{key.title()} Prolotherapy draft"
        page.save_revision()
        objects[key] = {
            "clinic": clinic,
            "page": page,
            "image": make_image(f"{key} image", collection=clinic.collection),
            "document": make_document(f"{key} aftercare", clinic.collection),
            "clinician": Clinician.objects.create(name=f"Dr {key.title()}"),
        }
    return objects


def admin_urls(target):
    """Every admin URL kind an editor might try against one clinic's objects."""
    page = target["page"]
    clinic = target["clinic"]
    revision = page.get_latest_revision()
    return {
        "explore": reverse("wagtailadmin_explore", args=[clinic.index.pk]),
        "add": reverse(
            "wagtailadmin_pages:add",
            args=["treatments", "treatmentpage", clinic.index.pk],
        ),
        "add_subpage": reverse(
            "wagtailadmin_pages:add_subpage", args=[clinic.index.pk]
        ),
        "edit": reverse("wagtailadmin_pages:edit", args=[page.pk]),
        "preview": reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
        "view_draft": reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
        "history": reverse("wagtailadmin_pages:history", args=[page.pk]),
        "revision_view": reverse(
            "wagtailadmin_pages:revisions_view", args=[page.pk, revision.pk]
        ),
        "revision_compare": reverse(
            "wagtailadmin_pages:revisions_compare", args=[page.pk, "live", "latest"]
        ),
        "workflow_history": reverse(
            "wagtailadmin_pages:workflow_history", args=[page.pk]
        ),
        "copy": reverse("wagtailadmin_pages:copy", args=[page.pk]),
        "move": reverse("wagtailadmin_pages:move", args=[page.pk]),
        "delete": reverse("wagtailadmin_pages:delete", args=[page.pk]),
        "unpublish": reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
        "lock": reverse("wagtailadmin_pages:lock", args=[page.pk]),
        "image_edit": reverse("wagtailimages:edit", args=[target["image"].pk]),
        "image_delete": reverse("wagtailimages:delete", args=[target["image"].pk]),
        "image_chosen": reverse(
            "wagtailimages_chooser:chosen", args=[target["image"].pk]
        ),
        "document_edit": reverse("wagtaildocs:edit", args=[target["document"].pk]),
        "document_delete": reverse("wagtaildocs:delete", args=[target["document"].pk]),
        "document_chosen": reverse(
            "wagtaildocs_chooser:chosen", args=[target["document"].pk]
        ),
        "settings": reverse(
            "wagtailsettings:edit", args=["home", "clinicsettings", clinic.site.pk]
        ),
        "snippet_edit": reverse(
            "wagtailsnippets_treatments_clinician:edit",
            args=[target["clinician"].pk],
        ),
        "snippet_delete": reverse(
            "wagtailsnippets_treatments_clinician:delete",
            args=[target["clinician"].pk],
        ),
    }


# What an editor may open in their own clinic: proof that the refusals below
# are about the clinic, not about URLs nobody can open.
OWN_CLINIC_ALLOWED = [
    "explore",
    "add",
    "edit",
    "preview",
    "view_draft",
    "history",
    "revision_view",
    "revision_compare",
    "image_edit",
    "image_chosen",
    "document_edit",
    "document_chosen",
    "settings",
]

KINDS = [
    "explore",
    "add",
    "add_subpage",
    "edit",
    "preview",
    "view_draft",
    "history",
    "revision_view",
    "revision_compare",
    "workflow_history",
    "copy",
    "move",
    "delete",
    "unpublish",
    "lock",
    "image_edit",
    "image_delete",
    "image_chosen",
    "document_edit",
    "document_delete",
    "document_chosen",
    "settings",
    "snippet_edit",
    "snippet_delete",
]
POST_ONLY = {"lock"}
GET_ONLY = {"image_chosen", "document_chosen"}
PAIRS = [("toronto", "kelowna"), ("kelowna", "toronto")]


@pytest.mark.parametrize(("editor", "other"), PAIRS)
@pytest.mark.parametrize("kind", KINDS)
def test_editor_is_refused_every_url_of_the_other_clinic(
    client, editors, clinic_objects, editor, other, kind
):
    client.force_login(getattr(editors, editor))
    url = admin_urls(clinic_objects[other])[kind]
    response = client.get(url)
    if kind not in POST_ONLY:
        assert is_refused(response), f"GET {kind}: {url} {response}"
    if kind not in GET_ONLY:
        response = client.post(url, {})
        assert is_refused(response), f"POST {kind}: {url} {response}"


@pytest.mark.parametrize(
    ("editor", "own"), [("toronto", "toronto"), ("kelowna", "kelowna")]
)
@pytest.mark.parametrize("kind", OWN_CLINIC_ALLOWED)
def test_editor_opens_the_same_urls_in_own_clinic(
    client, editors, clinic_objects, editor, own, kind
):
    client.force_login(getattr(editors, editor))
    url = admin_urls(clinic_objects[own])[kind]
    assert client.get(url).status_code == 200, f"GET {kind}: {url}"


def test_refused_posts_change_nothing(client, editors, clinic_objects):
    """The other clinic's page, image and settings survive a hostile editor."""
    client.force_login(editors.toronto)
    target = clinic_objects["kelowna"]
    page = target["page"]
    client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    client.post(reverse("wagtailimages:delete", args=[target["image"].pk]))
    client.post(
        reverse(
            "wagtailsettings:edit",
            args=["home", "clinicsettings", target["clinic"].site.pk],
        ),
        {"name": "Taken over", "brand_colour": "#000000"},
    )
    page.refresh_from_db()
    assert page.live
    assert TreatmentPage.objects.filter(pk=page.pk).exists()
    target["image"].refresh_from_db()
    target["clinic"].settings.refresh_from_db()
    assert target["clinic"].settings.name == "Kelowna Test Clinic"


def test_explorer_search_and_chooser_hide_the_other_clinic(
    client, editors, clinic_objects
):
    client.force_login(editors.toronto)
    kelowna_title = "Kelowna Prolotherapy"
    toronto_index = clinic_objects["toronto"]["clinic"].index
    kelowna_index = clinic_objects["kelowna"]["clinic"].index

    # The explorer opens at the editor's own clinic; the page list, and the
    # sidebar's explorer menu (Wagtail's admin API), never list Kelowna's pages.
    root_listing = client.get(
        reverse("wagtailadmin_explore_root"), follow=True
    ).content.decode()
    assert reverse("wagtailadmin_explore", args=[toronto_index.pk]) in root_listing
    assert reverse("wagtailadmin_explore", args=[kelowna_index.pk]) not in root_listing
    whole_tree = client.get(
        reverse("wagtailadmin_explore", args=[toronto_index.pk]),
        {"q": "Prolotherapy", "search_all": "1"},
    ).content.decode()
    assert "Toronto Prolotherapy" in whole_tree
    assert kelowna_title not in whole_tree

    search = client.get(
        reverse("wagtailadmin_pages:search"), {"q": "Prolotherapy"}
    ).content.decode()
    assert "Toronto Prolotherapy" in search
    assert kelowna_title not in search

    chooser_root = client.get(reverse("wagtailadmin_choose_page")).content.decode()
    assert "Toronto Test Clinic" in chooser_root
    assert "Kelowna Test Clinic" not in chooser_root

    chooser_search = client.get(
        reverse("wagtailadmin_choose_page_search"), {"q": "Prolotherapy"}
    ).content.decode()
    assert "Toronto Prolotherapy" in chooser_search
    assert kelowna_title not in chooser_search

    image_chooser = client.get(reverse("wagtailimages_chooser:choose")).content.decode()
    assert "toronto image" in image_chooser
    assert "kelowna image" not in image_chooser

    document_chooser = client.get(
        reverse("wagtaildocs_chooser:choose")
    ).content.decode()
    assert "toronto aftercare" in document_chooser
    assert "kelowna aftercare" not in document_chooser


def test_editors_group_has_exactly_the_clinic_permissions(clinic_sites):
    editors = clinic_sites.toronto.editors
    assert [p.codename for p in editors.permissions.all()] == ["access_admin"]
    assert {
        (p.page_id, p.permission.codename) for p in editors.page_permissions.all()
    } == {
        (clinic_sites.toronto.home.pk, "add_page"),
        (clinic_sites.toronto.home.pk, "change_page"),
    }
    assert {
        (p.collection_id, p.permission.codename)
        for p in editors.collection_permissions.all()
    } == {
        (clinic_sites.toronto.collection.pk, codename)
        for codename in (
            "add_image",
            "change_image",
            "choose_image",
            "add_document",
            "change_document",
            "choose_document",
        )
    }
    assert {
        (p.site_id, p.permission.codename) for p in editors.site_permissions.all()
    } == {(clinic_sites.toronto.site.pk, "change_clinicsettings")}


def test_editors_never_manage_users(client, editors):
    user = editors.toronto
    user_permissions = Permission.objects.filter(
        content_type__app_label="auth"
    ).values_list("codename", flat=True)
    for codename in user_permissions:
        assert not user.has_perm(f"auth.{codename}")
    client.force_login(user)
    assert is_refused(client.get(reverse("wagtailusers_users:index")))
    assert is_refused(client.get(reverse("wagtailusers_groups:index")))


def test_editor_cannot_publish_directly(client, editors, clinic_sites):
    client.force_login(editors.toronto)
    page = make_treatment(clinic_sites.toronto.index, title="Draft only")
    page.unpublish()
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert b"action-publish" not in edit.content
    assert b"action-submit" in edit.content

    from wagtail.test.utils.form_data import nested_form_data, streamfield

    data = nested_form_data(
        {
            "title": "Draft only",
            "slug": "draft-only",
            "summary": "Tried to publish.",
            "body": streamfield([]),
        }
    )
    data["action-publish"] = "action-publish"
    client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert not Page.objects.get(pk=page.pk).live


@pytest.mark.parametrize("kind", ["image", "document"])
def test_bulk_actions_on_the_other_clinics_media_are_refused(
    client, editors, clinic_objects, kind
):
    client.force_login(editors.toronto)
    app, model = (
        ("wagtailimages", "image") if kind == "image" else ("wagtaildocs", "document")
    )
    url = reverse("wagtail_bulk_action", args=[app, model, "delete"])
    theirs = clinic_objects["kelowna"][kind]
    ours = clinic_objects["toronto"][kind]
    assert client.get(url, {"id": theirs.pk}).status_code == 404
    assert client.get(url, {"id": [ours.pk, theirs.pk]}).status_code == 404
    own = client.get(url, {"id": ours.pk})
    assert own.status_code == 200
    assert ours.title in own.content.decode()
