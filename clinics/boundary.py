"""The clinic boundary: which clinic a request is for, and what a viewer may
read or change there.

Clinics share one installation and nothing else. Every route takes its answer
from here instead of keeping its own copy of the rules:

- **Which clinic.** A visitor's request is for the Site of its Host
  (``request_site``). A front-end may name another clinic with
  ``?site=<hostname>[:<port>]`` on API URLs (``api_site``); the value is
  parsed once, and a malformed one is a 400, not a database error.
- **Whom a viewer belongs to.** A user belongs to the clinics in whose page
  tree they hold a page permission or which they hold a site permission for,
  and a superuser to every clinic (``viewer_site_ids``). The clinic's editors
  hold theirs on its home page; the medical reviewers hold "publish" on every
  clinic's treatment index, because one reviewer team reviews every clinic's
  treatments. So a reviewer belongs to every clinic they review: they see
  those clinics' review queues and may read their members-only pages, and
  nothing here needs to know that reviewers exist.
- **What is in reach.** For a request: the clinic's live public pages, plus
  the pages of that clinic a signed-in editor may edit (``readable_pages``);
  the images and documents of the clinic's collection, private collections
  only for its own staff (``readable_media``); the redirects of its site
  (``readable_redirects``). For the admin, which is not tied to a host: the
  objects of the clinics the viewer belongs to (``in_reach``), checked for
  every object a URL names (``admin_url_guard``).
"""

import re
from functools import wraps

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.http import Http404
from django.http.request import split_domain_port
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    PageViewRestriction,
    Site,
    TaskState,
    WorkflowState,
)
from wagtail.permissions import page_permission_policy, policy_registry

# The one group whose members approve medical content for every clinic.
MEDICAL_REVIEWERS_GROUP = "Medical reviewers"

API_PATH_PREFIX = "/api/"

# A hostname as Site stores it (lower case letters, digits, hyphens, dots),
# optionally with a port.
HOSTNAME = re.compile(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
MAX_PORT = 65535


# Which clinic


def parse_site_address(value):
    """``hostname`` or ``hostname:port`` as (hostname, port or None).

    Raises BadRequest (a 400) for anything else, before it can reach a query.
    """
    hostname, sep, port = value.partition(":")
    hostname = hostname.lower()
    valid = len(hostname) <= 253 and HOSTNAME.fullmatch(hostname)
    if sep:
        valid = (
            valid and port.isascii() and port.isdigit() and 0 < int(port) <= MAX_PORT
        )
    if not valid:
        raise BadRequest(
            "site must be a clinic's hostname, optionally with a port, such as "
            f"kelowna.example.com or kelowna.localhost:8000 (got {value[:80]!r})."
        )
    return hostname, int(port) if sep else None


def find_site(address):
    """The Site at ``hostname[:port]``. Http404 if there is none, BadRequest
    if the hostname alone matches several (then the port must be given)."""
    hostname, port = parse_site_address(address)
    sites = Site.objects.filter(hostname=hostname).select_related("root_page")
    if port is not None:
        sites = sites.filter(port=port)
    found = list(sites[:2])
    if not found:
        raise Http404(f"No clinic site is at {address[:80]}.")
    if len(found) > 1:
        raise BadRequest(
            f"Several clinic sites use {hostname}; add the port, e.g. "
            f"{hostname}:{found[0].port}."
        )
    return found[0]


# Every Site with its root page, in the shared cache until a Site or a
# Site's root page changes (forget_sites), read once per request.
SITES_CACHE_KEY = "clinic-sites"


def all_sites():
    sites = cache.get(SITES_CACHE_KEY)
    if sites is None:
        # From the primary: a read replica that has not caught up with a
        # change yet would otherwise be cached until the next change.
        sites = list(
            Site.objects.using(DEFAULT_DB_ALIAS)
            .select_related("root_page")
            .order_by("pk")
        )
        # Each home page in its own type: Wagtail's router starts from
        # ``site.root_page.localized.specific``, a query on every request
        # otherwise (dropped with the Sites when a root page is saved).
        # (By hand rather than ``.specific()``, whose content type lookups
        # would follow the router to a replica.)
        home_pages = {}
        roots_by_type = {}
        for site in sites:
            roots_by_type.setdefault(site.root_page.content_type_id, []).append(
                site.root_page_id
            )
        types = ContentType.objects.db_manager(DEFAULT_DB_ALIAS)
        for type_id, ids in roots_by_type.items():
            model = types.get_for_id(type_id).model_class()
            if model is not None:
                home_pages.update(
                    (page.pk, page)
                    for page in model._default_manager.using(DEFAULT_DB_ALIAS).filter(
                        pk__in=ids
                    )
                )
        # And the sections under it (the menu on every page): the live
        # children of each home page without a view restriction of their own.
        sections = {}
        children = Q(pk__in=[])
        for site in sites:
            root = site.root_page
            children |= Q(path__startswith=root.path, depth=root.depth + 1)
        for page in (
            Page.objects.using(DEFAULT_DB_ALIAS)
            .filter(children, live=True)
            .exclude(pk__in=PageViewRestriction.objects.values("page_id"))
            .order_by("path")
        ):
            sections.setdefault(page.path[: -Page.steplen], []).append(page)
        for site in sites:
            site.root_page = home_pages.get(site.root_page_id, site.root_page)
            site.clinic_sections = sections.get(site.root_page.path, [])
        cache.set(SITES_CACHE_KEY, sites, None)
    return sites


def clinic_sections(site):
    """The live, public pages right under the clinic's home page, in the
    editors' order, from the cached Sites (no query)."""
    cached = next((s for s in all_sites() if s.pk == site.pk), None)
    return getattr(cached, "clinic_sections", [])


def cached_parent(page):
    """The parent of ``page`` when it is a clinic's home page or one of the
    clinic's sections, from the cached Sites (no query); None otherwise
    (the caller asks the database). Treatment pages sit in a section, so
    the API's ``parent`` of a treatment costs nothing."""
    parent_path = page.path[: -Page.steplen]
    for site in all_sites():
        home = site.root_page
        if home.path == parent_path:
            return home
        if parent_path.startswith(home.path):
            for section in getattr(site, "clinic_sections", []):
                if section.path == parent_path:
                    return section
    return None


def forget_sites(sender=None, instance=None, **kwargs):
    """Drop the cached Sites when a Site changes, or a page that is a Site's
    root (its path, locale or title as the Site shows it). Connected to every
    model's save and delete (clinics/apps.py): a Site's root page may be of
    any page type."""
    if isinstance(instance, Page):
        cached = cache.get(SITES_CACHE_KEY)
        if cached is None or instance.pk not in {s.root_page_id for s in cached}:
            return
    elif not isinstance(instance, Site):
        return
    cache.delete(SITES_CACHE_KEY)
    # Again once committed: a request between the change and its commit may
    # have cached the Sites as they were.
    transaction.on_commit(lambda: cache.delete(SITES_CACHE_KEY))


def site_for_host(hostname, port):
    """The Site Wagtail's ``Site.find_for_request`` would choose for this
    hostname and port, chosen from the cached Sites instead of a query per
    request (Wagtail caches the site root paths but not this). The same
    order as Wagtail's ``get_site_for_hostname``: the hostname with this port;
    else the hostname if it is the default site's; else the only Site with
    this hostname; else the default site; else None."""
    sites = all_sites()
    named = [site for site in sites if site.hostname == hostname]
    default = next((site for site in sites if site.is_default_site), None)
    for site in named:
        if site.port == port:
            return site
    if default is not None and default.hostname == hostname:
        return default
    if len(named) == 1:
        return named[0]
    return default


def request_site(request):
    """The clinic Site a visitor's request is for: the one of its Host (or the
    default site), or None when the installation has no Site. Remembered
    where Wagtail looks for it (``request._wagtail_site``), so Wagtail's own
    views and tags use the same answer."""
    if request is None:
        return None
    if not hasattr(request, "_wagtail_site"):
        hostname = split_domain_port(request._get_raw_host())[0]
        port = str(request.get_port())
        request._wagtail_site = site_for_host(
            hostname, int(port) if port.isascii() and port.isdigit() else None
        )
    return request._wagtail_site


def api_site(request):
    """The clinic an API request is for: ``?site=`` if given, else the Host's.

    Read once per request. Raises Http404 when there is no such clinic.
    """
    if not hasattr(request, "_clinic_api_site"):
        address = request.GET.get("site")
        site = find_site(address) if address else request_site(request)
        if site is None:
            raise Http404("No clinic site matches this request.")
        request._clinic_api_site = site
    return request._clinic_api_site


def site_for_request(request):
    """``api_site`` on API URLs, ``request_site`` everywhere else."""
    if request.path.startswith(API_PATH_PREFIX):
        return api_site(request)
    return request_site(request)


# Whom a viewer belongs to


def _site_tree_roots():
    """(site id, tree path of its home page) of every Site."""
    return list(Site.objects.values_list("pk", "root_page__path"))


def viewer_site_ids(user):
    """Ids of the clinic Sites ``user`` belongs to (see the module's notes)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_clinic_site_ids", None)
    if cached is not None:
        return cached
    roots = _site_tree_roots()
    if user.is_superuser:
        found = frozenset(pk for pk, _ in roots)
    else:
        permission_paths = set(
            GroupPagePermission.objects.filter(group__user=user).values_list(
                "page__path", flat=True
            )
        )
        found = frozenset(
            pk
            for pk, root in roots
            if any(root.startswith(p) or p.startswith(root) for p in permission_paths)
        ) | frozenset(
            GroupSitePermission.objects.filter(group__user=user).values_list(
                "site_id", flat=True
            )
        )
    user._clinic_site_ids = found
    return found


def site_of_page(page):
    """The clinic Site whose tree holds ``page``, or None (the tree's root)."""
    for site_id, root_path in _site_tree_roots():
        if page.path.startswith(root_path):
            return Site.objects.get(pk=site_id)
    return None


def belongs_to_clinic_of(user, page):
    """May ``user`` see the members-only content of the clinic ``page`` is in?"""
    site = site_of_page(page)
    return site is not None and site.pk in viewer_site_ids(user)


# Pages in reach


def editable_pages(user):
    """Ids of the pages ``user`` may change or publish, as a subquery."""
    return page_permission_policy.instances_user_has_any_permission_for(
        user, {"change", "publish"}
    ).values("pk")


def readable_pages(request, model=Page, *, as_anonymous=False):
    """Pages of the requested clinic a caller may read through the API: live
    pages without view restrictions, and for a signed-in editor (or a token)
    also the pages of that clinic they may edit, drafts and private ones
    included. Wagtail treats a "login" restriction as "any user of the
    installation"; here any restricted page is private to its editors."""
    site = api_site(request)
    in_site = model._default_manager.descendant_of(site.root_page, inclusive=True)
    public = without_restricted(in_site.live())
    user = request.user
    if as_anonymous or not user.is_authenticated:
        return public
    return public | in_site.filter(pk__in=editable_pages(user))


def publicly_readable(request, page):
    """Whether ``page`` is one of ``readable_pages(request,
    as_anonymous=True)``: live, in the requested clinic and under no view
    restriction. From the cached lists, without a query."""
    return (
        page.live
        and page.path.startswith(api_site(request).root_page.path)
        and not page.path.startswith(tuple(restricted_paths()))
    )


# The tree paths of every page with a view restriction, and of every alias
# page (which Wagtail gives its source page's restrictions), in the shared
# cache until any content change (clinics.content_changes announces
# restriction changes, moves and deletions among them) or a new alias, read
# once per request.
RESTRICTED_PATHS_KEY = "clinic-restricted-paths"


def _restriction_paths():
    paths = cache.get(RESTRICTED_PATHS_KEY)
    if paths is None:
        # From the primary, as the Sites above (content_changed is sent
        # again once a change is committed, so no stale list outlives it).
        primary = DEFAULT_DB_ALIAS
        paths = {
            "restricted": sorted(
                set(
                    PageViewRestriction.objects.using(primary).values_list(
                        "page__path", flat=True
                    )
                )
            ),
            "aliases": sorted(
                Page.objects.using(primary)
                .filter(alias_of__isnull=False)
                .values_list("path", flat=True)
            ),
        }
        cache.set(RESTRICTED_PATHS_KEY, paths, None)
    return paths


def read_cached_lists():
    """The Sites and the restriction paths in one round trip: a page or API
    request needs both (the request memo keeps them for the rest of it)."""
    cache.get_many([SITES_CACHE_KEY, RESTRICTED_PATHS_KEY])


def restricted_paths():
    return _restriction_paths()["restricted"]


def without_restricted(pages):
    """``pages`` without those a view restriction covers (on them or above
    them): Wagtail's ``PageQuerySet.public()``, which queries every
    restriction each time it is called, from the cached paths instead."""
    for path in restricted_paths():
        pages = pages.exclude(path__startswith=path)
    return pages


def is_unrestricted(page):
    """True when no view restriction can apply to ``page``: none on it or
    above it, and neither it nor a page above it is an alias (whose
    restrictions are its source's). False means "ask Wagtail"."""
    if page.alias_of_id is not None:
        return False
    paths = _restriction_paths()
    return not page.path.startswith((*paths["restricted"], *paths["aliases"]))


def forget_cached_lists(**kwargs):
    """``content_changed`` receiver: any change may touch a restriction, an
    alias or a clinic's sections (the cached Sites carry them), in one
    round trip."""
    cache.delete_many([SITES_CACHE_KEY, RESTRICTED_PATHS_KEY])


def forget_restricted_paths():
    cache.delete(RESTRICTED_PATHS_KEY)


def forget_restricted_paths_for_alias(sender, instance, **kwargs):
    """``post_save`` receiver: a new alias page (``create_alias``, a
    translation alias) announces no content change of its own."""
    if isinstance(instance, Page) and instance.alias_of_id is not None:
        forget_restricted_paths()


def pages_in_reach(user):
    """Pages of the clinics ``user`` belongs to, and the tree's root above
    them (the admin's explorer and choosers start there)."""
    sites = Site.objects.filter(pk__in=viewer_site_ids(user)).select_related(
        "root_page"
    )
    reach = Q(depth=1)
    for site in sites:
        reach |= Q(path__startswith=site.root_page.path)
    return Page.objects.filter(reach)


# Media in reach


def clinic_collection(site):
    """The clinic's own collection: the top-level collection named after its
    Site (``home.clinic_setup.ensure_clinic`` creates it so)."""
    return Collection.objects.filter(depth=2, name=site.site_name).first()


def clinic_collections(site_ids):
    return Collection.objects.filter(
        depth=2,
        name__in=Site.objects.filter(pk__in=site_ids).values("site_name"),
    )


def _under(collections, lookup="collection__path"):
    condition = Q(pk__in=[])
    for collection in collections:
        condition |= Q(**{f"{lookup}__startswith": collection.path})
    return condition


def readable_media(request, queryset):
    """The images or documents of the requested clinic that the caller may
    read: its collection and those below it, except private collections
    (with a view restriction), which only the clinic's own staff may read."""
    collection = clinic_collection(api_site(request))
    if collection is None:
        return queryset.none()
    queryset = queryset.filter(collection__path__startswith=collection.path)
    private = CollectionViewRestriction.objects.filter(
        collection__path__startswith=collection.path
    ).select_related("collection")
    user = request.user
    policy = policy_registry.get_by_type(queryset.model)
    staff_collections = (
        set(
            policy.collections_user_has_any_permission_for(
                user, ["choose", "change"]
            ).values_list("pk", flat=True)
        )
        if user.is_authenticated
        else set()
    )
    for restriction in private:
        if restriction.collection_id not in staff_collections:
            queryset = queryset.exclude(
                collection__path__startswith=restriction.collection.path
            )
    return queryset


def media_in_reach(user, queryset):
    """The images or documents of the clinics ``user`` belongs to (admin)."""
    return queryset.filter(_under(clinic_collections(viewer_site_ids(user))))


def readable_documents(request, queryset=None):
    model = get_document_model()
    return readable_media(
        request, model.objects.all() if queryset is None else queryset
    )


def readable_images(request, queryset=None):
    model = get_image_model()
    return readable_media(
        request, model.objects.all() if queryset is None else queryset
    )


def document_of_host(request, document):
    """Is this document of the clinic whose host the request is on?"""
    site = request_site(request)
    own = clinic_collection(site) if site else None
    return own is not None and document.collection.path.startswith(own.path)


# Redirects in reach


def readable_redirects(request, queryset):
    """The requested clinic's redirects, and installation-wide ones that do
    not lead into another clinic."""
    site = api_site(request)
    return queryset.filter(
        Q(site=site)
        | Q(site__isnull=True)
        & (
            Q(redirect_page__isnull=True)
            | Q(redirect_page__path__startswith=site.root_page.path)
        )
    )


# Admin: every object a URL names is within the viewer's clinics


def _page_ids_in_reach(user, ids):
    return set(pages_in_reach(user).filter(pk__in=ids).values_list("pk", flat=True))


def _page_in_reach(user, pk):
    return bool(_page_ids_in_reach(user, [pk]))


def _media_in_reach(model):
    def check(user, pk):
        return media_in_reach(user, model.objects.filter(pk=pk)).exists()

    return check


def _collection_in_reach(user, pk):
    collection = Collection.objects.filter(pk=pk).first()
    if collection is None or collection.depth == 1:
        return True  # Wagtail's own 404, or the root every clinic sits under
    return any(
        collection.path.startswith(own.path)
        for own in clinic_collections(viewer_site_ids(user))
    )


def _state_in_reach(model):
    def check(user, pk):
        state = model.objects.filter(pk=pk).values_list(
            "workflow_state__base_content_type__model"
            if model is TaskState
            else "base_content_type__model",
            "workflow_state__object_id" if model is TaskState else "object_id",
        )
        row = state.first()
        if row is None:
            return True
        try:
            page_id = int(row[1])
        except ValueError:
            return True  # a snippet's workflow: not a clinic's page
        return _page_in_reach(user, page_id)

    return check


def in_reach_checks():
    """URL parameter name -> check(user, value) for the admin's URLs."""
    page = _page_in_reach
    return {
        "page_id": page,
        "parent_page_id": page,
        "page_to_move_id": page,
        "destination_id": page,
        "page_pk": page,
        "image_id": _media_in_reach(get_image_model()),
        "document_id": _media_in_reach(get_document_model()),
        "doc_id": _media_in_reach(get_document_model()),
        "collection_id": _collection_in_reach,
        "task_state_id": _state_in_reach(TaskState),
        "workflow_state_id": _state_in_reach(WorkflowState),
    }


# Reports about the whole installation (every clinic's page counts and latest
# edits), which no clinic's staff may read.
OPERATOR_ONLY_ADMIN_VIEWS = {
    "wagtailadmin_reports:page_types_usage",
    "wagtailadmin_reports:page_types_usage_results",
}
OPERATOR_ONLY_REPORT_MENU_ITEMS = {"page-types-usage"}

# Query parameters of admin URLs that name objects by id: the choosers'
# "chosen" steps and bulk actions take ids in the query string, not the path.
ID_QUERY_PARAMETERS = ("id", "target_pages[]")


def query_ids_model(match, kwargs):
    """The model whose ids an admin URL's ``id`` parameters are."""
    from django.apps import apps

    if "app_label" in kwargs and "model_name" in kwargs:  # bulk actions
        try:
            return apps.get_model(kwargs["app_label"], kwargs["model_name"])
        except LookupError:
            return None
    namespace = match.namespace if match is not None else ""
    if namespace.startswith("wagtailimages"):
        return get_image_model()
    if namespace.startswith("wagtaildocs"):
        return get_document_model()
    if match is not None and match.url_name.startswith("wagtailadmin_choose_page"):
        return Page
    return None


def _ids_in_reach(user, model, ids):
    if issubclass(model, Page):
        found = _page_ids_in_reach(user, ids)
    elif issubclass(model, get_image_model() | get_document_model()):
        found = set(
            media_in_reach(user, model.objects.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
    else:
        return True  # e.g. snippets: shared by every clinic
    return len(found) == len(set(ids))


# Clinic-held records edited in the admin through a viewset (webhook
# endpoints, their deliveries): admin URL namespace -> (model, the lookup of
# the record's Site, "app_label.codename" of the permission held per clinic).
CLINIC_RECORD_VIEWSETS = {}


def clinic_records_in_reach(user, model, site_lookup, permission):
    """The records of ``model`` of the clinics where ``user`` holds
    ``permission`` through a site permission (see sites_with_permission)."""
    app_label, codename = permission.split(".")
    sites = sites_with_permission(user, app_label, codename)
    return model._default_manager.filter(**{f"{site_lookup}__in": sites})


def _record_out_of_reach(user, namespace, kwargs):
    record = CLINIC_RECORD_VIEWSETS.get(namespace)
    if record is None or "pk" not in kwargs:
        return False
    pk = str(kwargs["pk"])
    if not (pk.isascii() and pk.isdigit()):
        return True
    return not clinic_records_in_reach(user, *record).filter(pk=int(pk)).exists()


def out_of_reach(request, kwargs, checks):
    """Why the objects this admin request names are not the viewer's, or None."""
    user = request.user
    if not user.is_authenticated or user.is_superuser:
        return None  # Wagtail asks for a login; the operator reaches everything
    match = request.resolver_match
    if match is not None and match.view_name in OPERATOR_ONLY_ADMIN_VIEWS:
        return match.view_name
    if match is not None and _record_out_of_reach(user, match.namespace, kwargs):
        return "pk"
    for name, value in kwargs.items():
        check = checks.get(name)
        if check is not None and not check(user, value):
            return name
    ids = {
        int(value)
        for name in ID_QUERY_PARAMETERS
        for value in request.GET.getlist(name)
        if value.isascii() and value.isdigit()
    }
    model = query_ids_model(match, kwargs) if ids else None
    if model is not None and not _ids_in_reach(user, model, ids):
        return "id"
    return None


def admin_url_guard(view):
    """Refuse (404, as for a missing object) an admin URL that names a page,
    image, document, collection or workflow state of a clinic the viewer does
    not belong to. Wagtail's own permission checks cover most views; this
    covers the ones that read an object before, or without, checking (the
    page chooser's parent page, for one), and any view added later."""
    checks = None

    @wraps(view)
    def guarded(request, *args, **kwargs):
        nonlocal checks
        if checks is None:
            checks = in_reach_checks()
        if out_of_reach(request, kwargs, checks):
            raise Http404("No such object in your clinics.")
        return view(request, *args, **kwargs)

    return guarded


# Writes: what a page refers to stays within its clinic


def object_in_clinic(model, pk, site):
    """Is the object a page, image or document of ``site``'s clinic? Objects
    of other kinds (a clinician, say) are shared by every clinic."""
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage

    if issubclass(model, Page):
        return Page.objects.filter(pk=pk, path__startswith=site.root_page.path).exists()
    if issubclass(model, AbstractImage | AbstractDocument):
        collection = clinic_collection(site)
        return (
            collection is not None
            and model.objects.filter(
                pk=pk, collection__path__startswith=collection.path
            ).exists()
        )
    return True


def references_in(model, field_name, value):
    """(model, pk) of every object a form value of ``model.field_name``
    refers to: a foreign key, or what a StreamField's blocks or a rich text's
    links name (the same extraction as Wagtail's reference index)."""
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 - a form-only field refers to nothing
        return []
    if value is None:
        return []
    if field.many_to_one and hasattr(value, "pk"):
        return [(field.related_model, value.pk)]
    extract = getattr(field, "extract_references", None)
    if extract is None:
        return []
    return [(ref_model, ref_id) for ref_model, ref_id, _, _ in extract(value)]


# Clinic-held records (appointment requests): a dedicated permission per clinic


def sites_with_permission(user, app_label, codename):
    """Ids of the clinic Sites where ``user`` holds the permission through a
    site permission of one of their groups (every Site for the operator).
    Records such as appointment requests are in reach only there: belonging
    to the clinic is not enough."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Site.objects.values_list("pk", flat=True))
    return frozenset(
        GroupSitePermission.objects.filter(
            group__user=user,
            permission__content_type__app_label=app_label,
            permission__codename=codename,
        ).values_list("site_id", flat=True)
    )
