"""Admin and serving behaviour for clinic pages of every type."""

from wagtail import hooks

from clinics.page_editor import AtomicPageViewSet

from .models import ContentPage, HomePage, VisitPage


@hooks.register("register_admin_viewset")
def register_all_or_nothing_page_editor():
    return AtomicPageViewSet.for_models(HomePage, ContentPage, VisitPage)
