"""The page form of every clinic page type, in the admin and in the v3 API
(Wagtail builds both from the model's ``base_form_class``)."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamBlockValidationError
from wagtail.fields import StreamField

from . import boundary

# Admin actions that send a page on towards going live.
SUBMITTING_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow")


class ClinicPageForm(WagtailAdminPageForm):
    """What a page refers to (its images, documents and linked pages, in its
    fields, blocks and rich text) must be of the page's own clinic, whoever
    writes it. The choosers only offer the editor's own clinic; this refuses
    an id sent by hand, with an error on the field that names it."""

    def clean(self):
        cleaned_data = super().clean()
        place = self.instance if self.instance.path else self.parent_page
        site = boundary.site_of_page(place) if place is not None else None
        if site is None:
            return cleaned_data
        model = self._meta.model
        for name, value in list(cleaned_data.items()):
            foreign = [
                (ref_model, pk)
                for ref_model, pk in boundary.references_in(model, name, value)
                if not boundary.object_in_clinic(ref_model, pk, site)
            ]
            if foreign:
                self.add_error(name, self.foreign_error(model, name, foreign, site))
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        # A page type may refuse to be submitted or published while its
        # content has findings (treatment pages: the health-advertising
        # check). It is asked with the form's values, before anything is
        # saved, so the editor gets the form back with the list.
        if not any(self.data.get(action) for action in SUBMITTING_ACTIONS):
            return
        blocking = getattr(self.instance, "submission_blockers", None)
        messages = blocking(self.for_user, parent=self.parent_page) if blocking else []
        if messages:
            self.add_error(None, ValidationError(messages))

    @staticmethod
    def foreign_error(model, name, foreign, site):
        kinds = sorted({ref_model._meta.verbose_name for ref_model, _ in foreign})
        message = _(
            "%(field)s refers to %(kinds)s of another clinic (id %(ids)s); "
            "choose from %(clinic)s's own."
        ) % {
            "field": name,
            "kinds": ", ".join(str(kind) for kind in kinds),
            "ids": ", ".join(str(pk) for _, pk in foreign),
            "clinic": site.site_name,
        }
        if isinstance(model._meta.get_field(name), StreamField):
            # The StreamField widget shows errors given in this shape; the
            # message, which Wagtail sets to a generic one, is what the v3
            # API reports.
            error = StreamBlockValidationError(non_block_errors=ErrorList([message]))
            error.message = message
            return error
        return ValidationError(message)
