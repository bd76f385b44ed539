"""Who may read which page: one rule for the rendered site and both APIs.

Wagtail treats a "login" view restriction as "any logged-in user of the
installation", so one clinic's editor could read the other clinic's
members-only pages, and its v3 API with a token lists the pages the token's
user may edit across every site instead of the requested clinic's pages. For
separate clinics in one installation:

- a page with any view restriction is only read through the APIs by someone
  who may edit it (like a draft); anonymous callers never see it;
- a login-restricted page is shown to a logged-in user only if they belong to
  the page's clinic: they may edit it, review medical content, or run the
  installation;
- a token never widens a listing beyond the requested clinic's site.
"""

from wagtail.api.validators import SiteFilterValidator
from wagtail.models import Page, PageViewRestriction
from wagtail.permissions import page_permission_policy

from home.clinics import MEDICAL_REVIEWERS_GROUP


def belongs_to_clinic_of(user, page):
    """May ``user`` see members-only content of the clinic ``page`` is in?"""
    if not user.is_authenticated:
        return False
    if user.is_superuser or page.permissions_for_user(user).can_edit():
        return True
    return user.groups.filter(name=MEDICAL_REVIEWERS_GROUP).exists()


def readable_pages(request, model=Page, *, as_anonymous=False):
    """Pages of the requested clinic's site a caller may read through the API:
    live pages without view restrictions, and for a signed-in editor also
    the pages of that site they may edit (drafts and private ones).

    Raises ValueError when ``?site=`` matches several sites (Wagtail's rule).
    """
    site = SiteFilterValidator(site=request.GET.get("site"), request=request).site_obj
    if site is None:
        return model._default_manager.none()
    in_site = model._default_manager.descendant_of(site.root_page, inclusive=True)
    public = in_site.live()
    for restriction in PageViewRestriction.objects.select_related("page"):
        public = public.not_descendant_of(restriction.page, inclusive=True)
    user = request.user
    if as_anonymous or not user.is_authenticated:
        return public
    return public | in_site.filter(pk__in=editable_pages(user))


def editable_pages(user):
    """Ids of the pages ``user`` may change or publish, as a subquery."""
    return page_permission_policy.instances_user_has_any_permission_for(
        user, {"change", "publish"}
    ).values("pk")
