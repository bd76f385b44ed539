"""The health-advertising check of a page, with its clinic's province."""

from clinics.identity import clinic_settings_for_page

from .checker import check_page


def page_province(page, request=None, parent=None):
    """The province of the page's clinic; for a page not yet in the tree (a
    form's new page), its parent's."""
    place = page if page.url_path or parent is None else parent
    return clinic_settings_for_page(place, request).province or "ON"


def page_findings(page, request=None, parent=None):
    """Findings of ``page`` as it stands (a draft, or a form's unsaved page)."""
    if getattr(page, "body", None) is None:
        return []
    return check_page(page, page_province(page, request, parent))
