"""Publishing is all or nothing.

Wagtail 8.0 publishes without a transaction: the page row is saved live
first, then the ``page_published`` signal (our page cache, a CDN purge), alias
updates and the admin's after-publish hooks run. If any of those fails, the
page stays live, half its aliases may be updated, and the editor sees a 500
that suggests nothing happened. Two small wrappers close that gap:

- ``AtomicPublishMixin`` (here, imported by the page models) wraps
  ``Page.publish`` in a transaction, which covers every path that publishes
  through the model: workflow approval, scheduled publishing, the v3 API,
  bulk actions, ``create_alias``/``copy``.
- ``clinics.page_editor.AtomicEditView`` does the same for the admin's editor,
  whose publish button calls Wagtail's publish action directly.
"""

from django.db import transaction
from wagtail.models import PageViewRestriction

from . import boundary
from .page_form import ClinicPageForm


class AtomicPublishMixin:
    """Make ``publish`` one transaction for a Page model."""

    def publish(self, *args, **kwargs):
        # Inside a caller's transaction (the admin's views) no savepoint: a
        # failure marks the caller's transaction for rollback, so nothing
        # half-published can be committed, and a publish costs two queries
        # fewer.
        with transaction.atomic(savepoint=False):
            return super().publish(*args, **kwargs)


class ClinicPageMixin(AtomicPublishMixin):
    """What every clinic page type shares: publishing all or nothing, and an
    editing form (admin and API) that keeps what the page refers to within
    its clinic (clinics/page_form.py)."""

    base_form_class = ClinicPageForm

    def get_view_restrictions(self):
        """Wagtail's restrictions of this page and the pages above it, without
        its two queries when the boundary's cached list shows there can be
        none (every page a visitor opens is checked, and almost none is
        restricted)."""
        if boundary.is_unrestricted(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
