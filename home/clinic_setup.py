"""Setting up a clinic: its Site, pages, settings, editors and review workflow.

One function, used by ``add_clinic``, ``seed_demo`` and the tests, so that
every clinic is built the same way. Every step finds what exists before
creating anything, so calling it again changes nothing.

Isolation between clinics rests on Wagtail's own permission models: the
editors group gets page permissions on its clinic's home page only
(GroupPagePermission), image and document permissions on its clinic's
collection only (GroupCollectionPermission) and the settings permission on its
clinic's Site only (GroupSitePermission). Nothing is granted globally except
access to the admin.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from clinics.boundary import MEDICAL_REVIEWERS_GROUP
from treatments.models import Clinician, MedicalReviewTask, TreatmentIndexPage

from .models import ClinicSettings, HomePage

MEDICAL_REVIEW_WORKFLOW = "Medical review"

# What a clinic's editors may do, each only within their own clinic.
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
EDITOR_SITE_PERMISSIONS = [("home", "change_clinicsettings")]


@dataclass
class Clinic:
    site: Site
    home: HomePage
    index: TreatmentIndexPage
    settings: ClinicSettings
    editors: Group
    collection: Collection
    created: bool


def validate_hostname(hostname):
    """A bare hostname such as ``kelowna.localhost``: no scheme, port or path."""
    try:
        validate_domain_name(hostname)
    except ValidationError:
        raise ValidationError(
            f"'{hostname}' is not a hostname; give one like kelowna.example.com "
            "(no http://, port or path)."
        ) from None
    if hostname != hostname.lower():
        raise ValidationError(f"'{hostname}' must be lower case.")


def publish_new_child(parent, page):
    """Add ``page`` under ``parent`` and publish it with a first revision."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def ensure_clinic(
    *, name, hostname, port=80, is_default=False, intro="", settings=None
):
    """Return the clinic at ``hostname:port``, creating whatever is missing."""
    validate_hostname(hostname)
    created = False
    site = Site.objects.filter(hostname=hostname, port=port).first()
    if site is not None and site.site_name != name:
        raise ValidationError(
            f"{hostname}:{port} is already the site of '{site.site_name}'; choose "
            "another hostname or port."
        )
    if site is None:
        home = _find_or_create_home(name, hostname, intro)
        site = Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            site_name=name,
            # Only one Site may be the default; never take it from another.
            is_default_site=is_default
            and not Site.objects.filter(is_default_site=True).exists(),
        )
        created = True
    else:
        home = site.root_page.specific
        if not isinstance(home, HomePage):
            raise ValidationError(
                f"The site {hostname}:{port} exists but its root page is not a "
                "clinic home page."
            )

    index = TreatmentIndexPage.objects.child_of(home).first()
    if index is None:
        index = publish_new_child(
            home,
            TreatmentIndexPage(
                title="Treatments",
                slug="treatments",
                intro="The treatments our clinic offers.",
                show_in_menus=True,
            ),
        )
        created = True

    clinic_settings, settings_created = ClinicSettings.objects.get_or_create(
        site=site, defaults={"name": name, **(settings or {})}
    )
    if settings_created:
        clinic_settings.full_clean()

    collection, collection_created = _ensure_collection(name)
    editors, editors_created = _ensure_editors(
        f"{name} editors", home, collection, site
    )
    # The front desk reads and exports the clinic's appointment requests, and
    # nothing else: editors do not, requests are personal health information.
    _ensure_clinic_role(
        f"{name} reception", site, ("appointments", "read_appointmentrequest")
    )
    # Whoever connects the clinic's front-end registers its webhooks.
    _ensure_clinic_role(
        f"{name} web administrators", site, ("webhooks", "manage_webhooks")
    )
    workflow = ensure_medical_review_workflow()
    _, workflow_attached = WorkflowPage.objects.get_or_create(
        page=index, defaults={"workflow": workflow}
    )
    # Wagtail publishes an approved page as the approving user, so reviewers
    # need the publish permission where the workflow applies (and only there).
    GroupPagePermission.objects.get_or_create(
        group=Group.objects.get(name=MEDICAL_REVIEWERS_GROUP),
        page=index,
        permission=_permission("wagtailcore", "publish_page"),
    )
    created = (
        created
        or settings_created
        or collection_created
        or editors_created
        or workflow_attached
    )
    return Clinic(site, home, index, clinic_settings, editors, collection, created)


def _find_or_create_home(name, hostname, intro):
    root = Page.get_first_root_node()
    slug = slugify(hostname.split(".")[0]) or "clinic"
    existing = HomePage.objects.child_of(root).filter(slug=slug).first()
    if existing:
        # A home page serves one clinic: never hand another clinic's tree out.
        owner = Site.objects.filter(root_page=existing).first()
        if owner is not None:
            raise ValidationError(
                f"The home page '/{slug}/' already belongs to {owner.site_name} "
                f"({owner.hostname}); choose a hostname whose first part differs."
            )
        return existing
    return publish_new_child(root, HomePage(title=name, slug=slug, intro=intro))


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _ensure_collection(name):
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=name).first()
    if existing:
        return existing, False
    return root.add_child(instance=Collection(name=name)), True


def _ensure_editors(group_name, home, collection, site):
    """The clinic's editors group, with exactly the editor permissions."""
    group, created = Group.objects.get_or_create(name=group_name)
    if not created:
        return group, False
    group.permissions.add(_permission("wagtailadmin", "access_admin"))
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.create(
            group=group, page=home, permission=_permission("wagtailcore", codename)
        )
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.create(
            group=group,
            collection=collection,
            permission=_permission(app_label, codename),
        )
    for app_label, codename in EDITOR_SITE_PERMISSIONS:
        GroupSitePermission.objects.create(
            group=group, site=site, permission=_permission(app_label, codename)
        )
    return group, True


def _ensure_clinic_role(group_name, site, permission):
    """A group holding one permission for this clinic only (a site
    permission), and the admin."""
    group, created = Group.objects.get_or_create(name=group_name)
    if created:
        group.permissions.add(_permission("wagtailadmin", "access_admin"))
        GroupSitePermission.objects.create(
            group=group, site=site, permission=_permission(*permission)
        )
    return group


def ensure_medical_review_workflow():
    """The one "Medical review" workflow, approved by the medical reviewers."""
    reviewers, created = Group.objects.get_or_create(name=MEDICAL_REVIEWERS_GROUP)
    if created:
        reviewers.permissions.add(_permission("wagtailadmin", "access_admin"))
    workflow, created = Workflow.objects.get_or_create(name=MEDICAL_REVIEW_WORKFLOW)
    if created:
        task = MedicalReviewTask.objects.create(name="Medical approval")
        task.groups.add(reviewers)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def ensure_user(username, password, *, email="", groups=(), name=""):
    """A staff account for the admin; an existing one is left as it is."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    first_name, _, last_name = name.partition(" ")
    user = User.objects.create_user(
        username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    user.groups.add(*groups)
    return user, True


def ensure_reviewer(username, password, *, name, credentials, email=""):
    """A medical reviewer: a member of the reviewers group, with a clinician."""
    ensure_medical_review_workflow()
    reviewers = Group.objects.get(name=MEDICAL_REVIEWERS_GROUP)
    user, created = ensure_user(
        username, password, email=email, groups=[reviewers], name=name
    )
    if not Clinician.objects.filter(user=user).exists():
        # The same person may already be a clinician without an account (the
        # demo's reviewed pages name them): link them rather than add a second.
        clinician = Clinician.objects.filter(user__isnull=True, name=name).first()
        if clinician is None:
            Clinician.objects.create(user=user, name=name, credentials=credentials)
        else:
            clinician.user = user
            clinician.save(update_fields=["user"])
    return user, created


def remove_wagtail_welcome_site():
    """Delete the placeholder site Wagtail's migrations create, if untouched.

    Wagtail starts every project with a 'Welcome' page of the plain Page type
    and a default Site on localhost:80 pointing at it. A clinic installation
    has no use for it, and it would hold the default-site flag.
    """
    for site in Site.objects.filter(hostname="localhost", port=80):
        page = site.root_page
        if page.specific_class is Page and page.slug == "home" and page.numchild == 0:
            site.delete()
            page.delete()


def find_clinic_site(address):
    """The Site at ``hostname`` or ``hostname:port`` (port 80 when omitted)."""
    hostname, _, port = address.partition(":")
    try:
        port = int(port or 80)
    except ValueError:
        raise ValidationError(
            f"'{address}' is not hostname or hostname:port."
        ) from None
    site = Site.objects.filter(hostname=hostname, port=port).first()
    if site is None or not isinstance(site.root_page.specific, HomePage):
        known = ", ".join(f"{s.hostname}:{s.port}" for s in Site.objects.all())
        raise ValidationError(f"No clinic at {hostname}:{port}. Clinics: {known}.")
    return site


@transaction.atomic
def share_treatment(page, to_site, *, keep_in_sync=True, user=None):
    """Place a treatment page into another clinic's treatment index.

    ``keep_in_sync`` makes a Wagtail alias, which follows every publish of the
    original; otherwise an independent copy, which the receiving clinic then
    edits (and reviews) on its own. Either way it renders within the receiving
    site, so with that clinic's identity and booking link.
    """
    index = TreatmentIndexPage.objects.descendant_of(to_site.root_page).first()
    if index is None:
        raise ValidationError(f"{to_site.site_name} has no treatment index page.")
    if page.get_parent().pk == index.pk:
        raise ValidationError(f"'{page.title}' already belongs to {to_site.site_name}.")
    if index.get_children().filter(slug=page.slug).exists():
        raise ValidationError(
            f"{to_site.site_name} already has a page at '{page.slug}'."
        )
    if keep_in_sync:
        return page.create_alias(parent=index, user=user)
    # The copy starts unreviewed by the receiving clinic only in the sense that
    # its later edits go through review; the text it copies was reviewed.
    return page.copy(to=index, user=user, keep_live=page.live)
