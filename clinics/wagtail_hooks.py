"""The clinic boundary at Wagtail's own extension points (see boundary.py)."""

from django.http import Http404
from wagtail import hooks
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import BaseViewRestriction, PageViewRestriction
from wagtail.wagtail_hooks import require_wagtail_login

from . import boundary
from .revalidation import answer_unchanged_page, mark_page

# Around Wagtail's own view-restriction check (order 0): every page answer is
# marked before it; a 304 is answered only after it.
hooks.register("before_serve_page", mark_page, order=-100)
hooks.register("before_serve_page", answer_unchanged_page, order=100)


@hooks.register("before_serve_page")
def members_only_pages_are_per_clinic(page, request, serve_args, serve_kwargs):
    """A login-restricted page asks a signed-in user of another clinic to sign
    in as someone of this clinic. Anonymous visitors and the other kinds of
    restriction are Wagtail's own check."""
    if not request.user.is_authenticated:
        return None
    restricted = page.get_view_restrictions().filter(
        restriction_type=PageViewRestriction.LOGIN
    )
    if not restricted.exists() or boundary.belongs_to_clinic_of(request.user, page):
        return None
    return require_wagtail_login(next=request.get_full_path())


@hooks.register("before_serve_document", order=-1)
def documents_are_served_by_their_clinic(document, request):
    """A document is served on its own clinic's host (or to its own clinic's
    staff on any host), and a members-only one only to its clinic's staff."""
    in_reach = boundary.media_in_reach(
        request.user, type(document).objects.filter(pk=document.pk)
    ).exists()
    if not in_reach and not boundary.document_of_host(request, document):
        raise Http404("No such document on this site.")
    login_only = any(
        restriction.restriction_type == BaseViewRestriction.LOGIN
        for restriction in document.collection.get_view_restrictions()
    )
    if login_only and request.user.is_authenticated and not in_reach:
        return require_wagtail_login(next=request.get_full_path())
    return None


@hooks.register("construct_page_chooser_queryset")
def page_choosers_offer_own_clinics(pages, request):
    """Wagtail's chooser deliberately shows the whole tree (linking needs no
    edit permission); here it offers the viewer's own clinics only."""
    if request.user.is_superuser:
        return pages
    return pages.filter(pk__in=boundary.pages_in_reach(request.user).values("pk"))


@hooks.register("construct_explorer_page_queryset")
def explorer_lists_own_clinics(parent_page, pages, request):
    if request.user.is_superuser:
        return pages
    return pages.filter(pk__in=boundary.pages_in_reach(request.user).values("pk"))


class ClinicImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    """The admin's image API (used by the rich text editor and choosers):
    the viewer's clinics' images only, not every image of the installation."""

    def get_queryset(self):
        return boundary.media_in_reach(self.request.user, super().get_queryset())


class ClinicDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return boundary.media_in_reach(self.request.user, super().get_queryset())


@hooks.register("construct_admin_api", order=100)
def admin_api_media_per_clinic(router):
    # After Wagtail's own registrations of the same endpoints (order 0).
    router.register_endpoint("images", ClinicImagesAdminAPIViewSet)
    router.register_endpoint("documents", ClinicDocumentsAdminAPIViewSet)


@hooks.register("construct_reports_menu")
def installation_wide_reports_for_the_operator(request, menu_items):
    if request.user.is_superuser:
        return
    menu_items[:] = [
        item
        for item in menu_items
        if item.name not in boundary.OPERATOR_ONLY_REPORT_MENU_ITEMS
    ]
