"""Page type rules: editors can only create pages where they belong."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield

from home.clinic_setup import ensure_clinic, remove_wagtail_welcome_site
from home.models import HomePage
from treatments.models import TreatmentIndexPage, TreatmentPage

from .conftest import KELOWNA, TORONTO
from .helpers import faq_value, make_treatment


class PageTypeRulesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        remove_wagtail_welcome_site()
        cls.toronto = ensure_clinic(**TORONTO)
        cls.kelowna = ensure_clinic(**KELOWNA)
        cls.treatment = make_treatment(cls.toronto.index)

    def test_home_page_only_under_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(TreatmentIndexPage, HomePage)

    def test_index_only_under_home(self):
        self.assertAllowedParentPageTypes(TreatmentIndexPage, {HomePage})
        from appointments.models import AppointmentRequestPage
        from home.models import ContentPage, VisitPage
        from treatments.models import TeamPage

        self.assertAllowedSubpageTypes(
            HomePage,
            {
                TreatmentIndexPage,
                TeamPage,
                ContentPage,
                VisitPage,
                AppointmentRequestPage,
            },
        )
        self.assertCanNotCreateAt(Page, TreatmentIndexPage)

    def test_treatment_only_under_index_and_has_no_children(self):
        self.assertAllowedParentPageTypes(TreatmentPage, {TreatmentIndexPage})
        self.assertAllowedSubpageTypes(TreatmentIndexPage, {TreatmentPage})
        self.assertAllowedSubpageTypes(TreatmentPage, set())
        self.assertCanNotCreateAt(HomePage, TreatmentPage)
        self.assertCanNotCreateAt(Page, TreatmentPage)

    def test_one_treatment_index_per_clinic(self):
        home = self.toronto.home
        self.assertFalse(TreatmentIndexPage.can_create_at(home))

    def test_treatment_page_is_routable_renderable_and_editable(self):
        self.assertPageIsRoutable(self.treatment)
        self.assertPageIsRenderable(self.treatment)
        post_data = nested_form_data(
            {
                "title": "Prolotherapy",
                "slug": "prolotherapy",
                "summary": "Edited summary",
                "body": streamfield([("faq", faq_value("Does it hurt?"))]),
            }
        )
        self.assertPageIsEditable(self.treatment, post_data=post_data)
        self.assertPageIsPreviewable(self.treatment, post_data=post_data)

    def test_home_and_index_are_renderable(self):
        self.assertPageIsRenderable(self.toronto.home)
        self.assertPageIsRenderable(self.kelowna.index)
