"""Plumbing for test_boundary_routes.py: every route of the URL resolver, two
clinics full of marked objects, and how to fill a route's parameters with one
clinic's objects."""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern, URLPattern, URLResolver
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import (
    APIToken,
    Collection,
    Page,
    PageViewRestriction,
    Revision,
    Task,
    Workflow,
    WorkflowState,
)

from treatments.models import Clinician

from .api.support import token_for
from .helpers import host_of, make_image, make_treatment


@dataclass
class Route:
    pattern: str  # the whole pattern, prefixes joined
    name: str | None  # namespaced
    parts: list = field(default_factory=list)  # (RoutePattern|RegexPattern)

    @property
    def is_admin(self):
        return self.pattern.startswith(("admin/", "django-admin/"))

    @property
    def is_api(self):
        return self.pattern.startswith("api/")


def all_routes():
    """Every URL pattern Django can resolve, with its namespaced name."""

    def walk(patterns, parts, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                namespace = namespaces + ([entry.namespace] if entry.namespace else [])
                yield from walk(entry.url_patterns, [*parts, entry.pattern], namespace)
            elif isinstance(entry, URLPattern):
                name = ":".join([*namespaces, entry.name]) if entry.name else None
                whole = [*parts, entry.pattern]
                yield Route("".join(str(p) for p in whole), name, whole)

    return list(walk(get_resolver().url_patterns, [], []))


# Turning a pattern into a URL

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")
UNNAMED_GROUP = re.compile(r"\((?!\?)(?:[^()]|\([^()]*\))*\)")


class UnknownParameter(LookupError):
    pass


def build_path(route, fill):
    """The route's URL with each parameter filled by ``fill(route, name)``;
    positional regex groups are named ``0``, ``1``..."""
    path = ""
    position = 0
    for part in route.parts:
        text = str(part)
        if isinstance(part, RoutePattern):
            text = CONVERTER.sub(lambda m: str(fill(route, m["parameter"])), text)
        elif isinstance(part, RegexPattern):
            text = NAMED_GROUP.sub(lambda m: str(fill(route, m["name"])), text)

            def positional(match):
                nonlocal position
                value = fill(route, str(position))
                position += 1
                return str(value)

            text = UNNAMED_GROUP.sub(positional, text)
            text = text.replace("^", "").replace("$", "").replace("\\", "")
        path += text
    return "/" + path


# Two clinics full of marked objects


def marked_document(marker, name, collection):
    """A document whose title and contents carry the marker (its file name
    does not: URLs name it, and a page may echo its own URL)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(
        title=f"{marker} {name}",
        file=ContentFile(f"Contents of {marker} {name}".encode(), name=f"{name}.txt"),
        collection=collection,
    )
    document.save()
    return document


def marked(clinic, key, editor):
    """Objects of one clinic, every one carrying the marker ``<key>marker``."""
    m = f"{key}marker"
    index = clinic.index
    live = make_treatment(index, title=f"{m} live", slug=f"{key}-live")
    live.title = f"{m} unpublished change"
    live.save_revision()
    new_draft = make_treatment(index, title=f"{m} never published", slug=f"{key}-new")
    new_draft.unpublish()
    members = make_treatment(index, title=f"{m} members", slug=f"{key}-members")
    restriction = PageViewRestriction.objects.create(
        page=members, restriction_type=PageViewRestriction.LOGIN
    )
    secret = make_treatment(index, title=f"{m} password", slug=f"{key}-password")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    private = clinic.collection.add_child(name=f"{m} private records")
    collection_restriction = private.view_restrictions.create(
        restriction_type="password", password="pw"
    )
    members_collection = clinic.collection.add_child(name=f"{m} staff records")
    members_collection.view_restrictions.create(restriction_type="login")
    image = make_image(title=f"{m} image", collection=clinic.collection)
    document = marked_document(m, "doc", clinic.collection)
    private_document = marked_document(m, "private-doc", private)
    staff_document = marked_document(m, "staff-doc", members_collection)
    redirect = Redirect.objects.create(
        site=clinic.site,
        old_path=f"/{m}-old",
        redirect_link=f"https://example.com/{m}-target",
    )
    from appointments.models import AppointmentRequest

    appointment = AppointmentRequest.receive(
        clinic.site,
        {"name": f"{m} patient", "phone": "555-0100", "preferred_times": "Mornings"},
        "web",
    )
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    webhook = WebhookEndpoint.objects.create(
        site=clinic.site,
        name=f"{m} webhook",
        url=f"https://example.com/{m}-hook",
        events=["publish"],
    )
    webhook_delivery = WebhookDelivery.objects.create(
        endpoint=webhook, event="publish", payload={"title": f"{m} delivered"}
    )
    clinic.settings.tagline = f"{m} tagline"
    clinic.settings.save()
    # Submitted for medical review, so the clinic has workflow states.
    reviewed = make_treatment(index, title=f"{m} in review", slug=f"{key}-review")
    reviewed.title = f"{m} review draft"
    revision = reviewed.save_revision()
    workflow_state = reviewed.get_workflow().start(reviewed, editor)
    return {
        "marker": m,
        "clinic": clinic,
        "live": live,
        "revision": live.get_latest_revision(),
        "new_draft": new_draft,
        "members": members,
        "page_restriction": restriction,
        "secret": secret,
        "private_collection": private,
        "collection_restriction": collection_restriction,
        "image": image,
        "document": document,
        "private_document": private_document,
        "staff_document": staff_document,
        "redirect": redirect,
        "reviewed": reviewed,
        "review_revision": revision,
        "workflow_state": workflow_state,
        "task_state": workflow_state.current_task_state,
        "appointment": appointment,
        "webhook": webhook,
        "webhook_delivery": webhook_delivery,
    }


def other(key):
    return {"toronto": "kelowna", "kelowna": "toronto"}[key]


# Filling parameters with a target clinic's objects


def filler(target, extra):
    """``fill(route, name)`` for the objects of ``target`` (see marked())."""
    live = target["live"]
    clinic = target["clinic"]
    page_type = ("treatments", "treatmentpage")
    by_pk_namespace = {
        "wagtailadmin_api:pages": live.pk,
        "wagtailadmin_pages": live.pk,
        "wagtailadmin_api:images": target["image"].pk,
        "wagtailadmin_api:documents": target["document"].pk,
        "wagtailadmin_collections": target["private_collection"].pk,
        "wagtailadmin_workflows": Workflow.objects.first().pk,
        "wagtailsites": clinic.site.pk,
        "wagtailusers_users": extra["editor"].pk,
        "wagtailusers_groups": clinic.editors.pk,
        "wagtailusers_api_tokens": extra["token"].pk,
        "wagtailsnippets_treatments_clinician": extra["clinician"].pk,
        "wagtailsnippetchoosers_treatments_clinician": extra["clinician"].pk,
        "wagtailimages_chooser": target["image"].pk,
        "wagtaildocs_chooser": target["document"].pk,
        "appointment_requests": target["appointment"].pk,
        "webhookendpoint": target["webhook"].pk,
        "webhookdelivery": target["webhook_delivery"].pk,
    }

    def fill(route, name):
        namespace = (route.name or "").rsplit(":", 1)[0]
        if name in ("page_id", "parent_page_id", "page_to_move_id", "page_pk"):
            return live.pk
        if name == "destination_id":
            return clinic.index.pk
        if name in ("revision_id", "revision_id_a", "revision_id_b"):
            return target["revision"].pk
        if name in ("image_id",):
            return target["image"].pk
        if name in ("document_id", "doc_id"):
            return target["private_document"].pk
        if name == "redirect_id":
            return target["redirect"].pk
        if name == "collection_id":
            return target["private_collection"].pk
        if name == "task_state_id":
            return target["task_state"].pk
        if name == "workflow_state_id":
            return target["workflow_state"].pk
        if name == "workflow_pk":
            return Workflow.objects.first().pk
        if name == "task_id":
            return target["task_state"].task_id
        if name == "site_id":
            return clinic.site.pk
        if name == "restriction_id":
            return target["collection_restriction"].pk
        if name == "page_view_restriction_id":
            return target["page_restriction"].pk
        if name in ("uploaded_file_id", "session_id"):
            return 1
        if name == "filter_spec":
            return "fill-100x100"
        if name == "action_name":
            return "copy" if namespace.startswith("wagtailadmin_api") else "approve"
        if name == "action":
            return "delete"
        if name in ("content_type_app_name", "content_type_model_name"):
            return page_type[name.endswith("model_name")]
        if name in ("app_label", "app_name", "model_name"):
            pair = {
                "wagtail_bulk_action": ("wagtailcore", "page"),
                "wagtailadmin_workflows:add_task": ("treatments", "medicalreviewtask"),
                "wagtailsettings:edit": ("home", "clinicsettings"),
                "wagtailsettings:preview_on_edit": ("home", "clinicsettings"),
                "wagtailadmin_editing_sessions:ping": ("wagtailcore", "page"),
                "wagtailadmin_tag_model_autocomplete": ("wagtailimages", "image"),
                "wagtailadmin_pages:choose_parent": page_type,
            }.get(route.name, page_type)
            return pair[name == "model_name"]
        if name == "object_id":
            if route.pattern.startswith("django-admin/"):
                return live.pk
            return live.pk
        if name == "content_type_id":
            return ContentType.objects.get_for_model(Page).pk
        if name == "pk":
            if route.name == "wagtailsettings:edit" or (
                route.name == "wagtailsettings:preview_on_edit"
            ):
                return clinic.site.pk
            for prefix, value in by_pk_namespace.items():
                if namespace.startswith(prefix):
                    return value
            if namespace.startswith("wagtailapi_v3") or route.is_api:
                return live.pk
            if "tasks" in route.pattern:
                return Task.objects.first().pk
            raise UnknownParameter(name)
        if name == "id":
            return extra["editor"].pk
        if name == "type":
            return "treatments.Clinician"
        if name == "type_name":
            return "treatments.TreatmentPage"
        if name == "path":  # the demo's media: an image of the target clinic
            return target["image"].file.name
        if name in ("uidb64", "token"):
            return "x"
        if name == "url":
            return "x"
        # Positional groups: documents/<id>/<filename>, a served page's path.
        if route.name == "wagtaildocs_serve":
            document = target["private_document"]
            return document.pk if name == "0" else document.filename
        if route.name == "wagtail_serve" and name == "0":
            return live.url_path.split("/", 2)[2]
        raise UnknownParameter(name)

    return fill


# Query strings that make a route name objects by id

EXTRA_QUERY = {
    "wagtailadmin_choose_page_chosen_multiple": "id={page}",
    "wagtail_bulk_action": "id={page}&next=/admin/",
    "wagtailimages_chooser:chosen_multiple": "id={image}",
    "wagtaildocs_chooser:chosen_multiple": "id={document}",
    "wagtailapi:pages:find": "id={page}",
    "wagtailapi:images:find": "id={image}",
    "wagtailapi:documents:find": "id={document}",
    "wagtailadmin_api:pages:find": "id={page}",
    "wagtailadmin_api:images:find": "id={image}",
    "wagtailadmin_api:documents:find": "id={document}",
    "wagtailapi_v3:find_page": "id={page}",
    "wagtailapi_v3:find_redirect": "id={redirect}",
    "wagtailadmin_pages:search": "q=live",
    "wagtailadmin_pages:search_results": "q=live",
    "wagtailapi_v3:list_pages": "search=live",
    "search": "q=live",
}


# Form data that makes a route look an object up by what it is given.
POST_DATA = {
    "wagtailadmin_choose_page_external_link": {
        "external-link-chooser-url": "{page_url}",
        "external-link-chooser-link_text": "",
    },
}


def post_data_for(route, target):
    return {
        key: value.format(page_url=target["live"].full_url)
        for key, value in POST_DATA.get(route.name or "", {}).items()
    }


def query_for(route, target):
    template = EXTRA_QUERY.get(route.name or "")
    if not template:
        return ""
    return "?" + template.format(
        page=target["live"].pk,
        image=target["image"].pk,
        document=target["private_document"].pk,
        redirect=target["redirect"].pk,
    )


# Viewers


@dataclass
class Viewer:
    name: str
    host: str  # the Host header its requests carry
    target: str  # the clinic whose objects it must never see or change
    user: object = None  # signed in with a session
    token: str | None = None  # sent as a bearer token


def make_viewers(clinics, objects):
    User = get_user_model()
    toronto, kelowna = clinics.toronto, clinics.kelowna
    toronto_host, kelowna_host = host_of(toronto.site), host_of(kelowna.site)
    users = {
        "toronto-editor": User.objects.get(username="toronto-editor"),
        "kelowna-editor": User.objects.get(username="kelowna-editor"),
        "reviewer": User.objects.get(username="reviewer"),
    }
    nobody = User.objects.create_user("no-permissions", password="pw")
    inactive = User.objects.create_user("inactive-editor", password="pw")
    inactive.groups.add(kelowna.editors)
    inactive_token = token_for(inactive)
    inactive.is_active = False
    inactive.save()
    revoked_token, revoked_raw = APIToken.create_token(
        user=users["kelowna-editor"], name="revoked"
    )
    revoked_token.revoked_at = timezone.now()
    revoked_token.save()
    return {
        "anonymous": Viewer("anonymous", toronto_host, "kelowna"),
        "toronto-editor": Viewer(
            "toronto-editor",
            toronto_host,
            "kelowna",
            user=users["toronto-editor"],
            token=token_for(users["toronto-editor"]),
        ),
        "kelowna-editor": Viewer(
            "kelowna-editor",
            kelowna_host,
            "toronto",
            user=users["kelowna-editor"],
            token=token_for(users["kelowna-editor"]),
        ),
        # Reviewers belong to every clinic they review (clinics/boundary.py):
        # on a clinic's host they still see that clinic only.
        "reviewer": Viewer(
            "reviewer",
            toronto_host,
            "kelowna",
            user=users["reviewer"],
            token=token_for(users["reviewer"]),
        ),
        "token-without-permissions": Viewer(
            "token-without-permissions",
            toronto_host,
            "kelowna",
            token=token_for(nobody),
        ),
        "revoked-token": Viewer(
            "revoked-token", toronto_host, "kelowna", token=revoked_raw
        ),
        "inactive-user-token": Viewer(
            "inactive-user-token", toronto_host, "kelowna", token=inactive_token
        ),
    }


def extra_objects(clinics, key):
    """Objects of a clinic that are not content: its editor, their token."""
    User = get_user_model()
    editor = User.objects.get(username=f"{key}-editor")
    token, _ = APIToken.create_token(user=editor, name=f"{key} front-end")
    return {
        "editor": editor,
        "token": token,
        "clinician": Clinician.objects.get_or_create(name=f"Dr {key}")[0],
    }


# What a write could change: a fingerprint of one clinic's objects


def fingerprint(target):
    clinic = target["clinic"]
    root = clinic.home
    pages = list(
        Page.objects.descendant_of(root, inclusive=True)
        .order_by("path")
        .values_list(
            "pk",
            "title",
            "slug",
            "path",
            "live",
            "has_unpublished_changes",
            "latest_revision_id",
            "locked",
            "alias_of_id",
        )
    )
    collections = Collection.objects.filter(path__startswith=clinic.collection.path)
    images = list(
        type(target["image"])
        .objects.filter(collection__in=collections)
        .order_by("pk")
        .values_list("pk", "title", "collection_id", "file")
    )
    documents = list(
        type(target["document"])
        .objects.filter(collection__in=collections)
        .order_by("pk")
        .values_list("pk", "title", "collection_id", "file")
    )
    redirects = list(
        Redirect.objects.filter(site=clinic.site)
        .order_by("pk")
        .values_list("pk", "old_path", "redirect_link", "redirect_page_id")
    )
    restrictions = list(
        PageViewRestriction.objects.filter(page__path__startswith=root.path)
        .order_by("pk")
        .values_list("pk", "restriction_type", "password")
    )
    settings = (
        type(clinic.settings)
        .objects.filter(site=clinic.site)
        .values_list("name", "tagline", "booking_url", "brand_colour")
    )
    site = list(
        type(clinic.site)
        .objects.filter(pk=clinic.site.pk)
        .values_list("hostname", "port", "root_page_id", "is_default_site")
    )
    groups = list(
        clinic.editors.permissions.values_list("codename", flat=True).order_by(
            "codename"
        )
    ) + [clinic.editors.page_permissions.count(), clinic.editors.user_set.count()]
    page_ids = [str(row[0]) for row in pages]
    workflow = list(
        WorkflowState.objects.filter(object_id__in=page_ids)
        .order_by("pk")
        .values_list("pk", "status", "current_task_state__status")
    )
    revisions = Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=page_ids,
    ).count()
    return (
        pages,
        workflow,
        revisions,
        list(collections.values_list("pk", "name", "path")),
        images,
        documents,
        redirects,
        restrictions,
        list(settings),
        site,
        groups,
    )
