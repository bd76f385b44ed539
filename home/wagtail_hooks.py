"""Admin and serving behaviour for clinic pages of every type."""

from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail.wagtail_hooks import require_wagtail_login

from cms.page_access import belongs_to_clinic_of
from cms.page_editor import AtomicPageViewSet

from .models import HomePage


@hooks.register("register_admin_viewset")
def register_all_or_nothing_page_editor():
    return AtomicPageViewSet.for_models(HomePage)


@hooks.register("before_serve_page")
def members_only_pages_are_per_clinic(page, request, serve_args, serve_kwargs):
    """A login-restricted page asks a signed-in user of another clinic to sign
    in as someone of this clinic (see cms/page_access.py). Anonymous visitors
    and the other kinds of restriction are Wagtail's own check."""
    if not request.user.is_authenticated:
        return None
    restricted = page.get_view_restrictions().filter(
        restriction_type=PageViewRestriction.LOGIN
    )
    if not restricted.exists() or belongs_to_clinic_of(request.user, page):
        return None
    return require_wagtail_login(next=request.get_full_path())
