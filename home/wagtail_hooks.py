"""Admin behaviour for clinic home pages."""

from wagtail import hooks

from cms.page_editor import AtomicPageViewSet

from .models import HomePage


@hooks.register("register_admin_viewset")
def register_all_or_nothing_page_editor():
    return AtomicPageViewSet.for_models(HomePage)
