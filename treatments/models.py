from django import forms
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from clinics.boundary import without_restricted
from clinics.listing import ListPage, page_number
from clinics.publishing import ClinicPageMixin
from clinics.revalidation import prefetch_fragments

from .blocks import TreatmentStreamBlock
from .review import (
    Clinician,
    ClinicianField,
    MedicalReviewTask,
    ReviewedChildrenPermissionTester,
    ReviewedPagePermissionTester,
    months_later,
)
from .structured_data import StructuredDataField

__all__ = [
    "Clinician",
    "ClinicianPage",
    "MedicalReviewTask",
    "TeamPage",
    "TreatmentIndexPage",
    "TreatmentPage",
]


# A page of the treatment list: a clinic with hundreds of treatments is still
# one short page to render (and one query).
TREATMENTS_PER_PAGE = 24


class TreatmentIndexPage(ClinicPageMixin, Page):
    """A clinic's list of treatments, at /treatments/."""

    intro = models.TextField(
        blank=True, help_text="A short paragraph shown above the list of treatments."
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro", writable=True)]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["treatments.TreatmentPage"]
    max_count_per_parent = 1

    def permissions_for_user(self, user):
        return ReviewedChildrenPermissionTester(user, self)

    def get_treatments(self):
        return (
            without_restricted(TreatmentPage.objects.child_of(self).live())
            .select_related("hero_image")
            .order_by("title")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        number = page_number(request.GET.get("page", 1))
        listing = number and ListPage.of(
            self.get_treatments(), number, TREATMENTS_PER_PAGE
        )
        # A page past the end, or a ?page= that is no page number, is not a
        # page of this list: a 404 rather than an empty list a search engine
        # would index.
        if not listing or (number > 1 and not listing.items):
            raise Http404(_("There is no such page of this clinic's treatments."))
        context["treatments"] = listing.items
        context["listing"] = listing
        return context


class TreatmentPage(ClinicPageMixin, Page):
    """One treatment a clinic offers, with a structured body."""

    summary = models.TextField(
        max_length=300,
        help_text="One or two sentences, used in treatment lists and as the "
        "description search engines show.",
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional image at the top of the page.",
    )
    body = StreamField(
        TreatmentStreamBlock(),
        help_text="Build the page from sections: how it works, what it treats, "
        "benefits, risks, FAQ and general text.",
    )
    # Set by the medical review workflow when a reviewer approves, never typed.
    reviewed_by = models.ForeignKey(
        Clinician,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_treatments",
        verbose_name="medically reviewed by",
    )
    last_reviewed = models.DateField(
        null=True, blank=True, verbose_name="date of last medical review"
    )
    providers = ParentalManyToManyField(
        Clinician,
        blank=True,
        related_name="provided_treatments",
        verbose_name=_("provided by"),
        help_text=_("The clinicians who offer this treatment at this clinic."),
    )
    show_booking_box = models.BooleanField(
        _("show the booking box"),
        default=True,
        help_text=_("The clinic's “Book an appointment” box at the end of the page."),
    )
    # The revision the review approved: the page claims the review only while
    # that revision is live (see current_review).
    reviewed_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
        FieldPanel("providers", widget=forms.CheckboxSelectMultiple),
        FieldPanel("show_booking_box"),
        MultiFieldPanel(
            [
                FieldPanel("reviewed_by", read_only=True),
                FieldPanel("last_reviewed", read_only=True),
            ],
            heading="Medical review",
            help_text="Filled in when a medical reviewer approves the page. Submit "
            "the page for review to publish it.",
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    # Headless API (v2 and v3): the hero image comes out as renditions and the
    # body as typed blocks (treatments/api.py); both are written as ids/blocks.
    api_fields = [
        APIField("summary", writable=True),
        APIField("hero_image", writable=True),
        APIField("body", writable=True),
        # Read-only: set by the medical review workflow.
        APIField("reviewed_by", serializer=ClinicianField()),
        APIField("last_reviewed"),
        # schema.org JSON-LD, the same graph the rendered page embeds.
        APIField("structured_data", serializer=StructuredDataField()),
    ]

    parent_page_types = ["treatments.TreatmentIndexPage"]
    subpage_types = []

    @property
    def checks_side_panel_class(self):
        # The editor's checks panel shows the health-advertising findings.
        from .admin_findings import HealthAdvertisingChecksPanel

        return HealthAdvertisingChecksPanel

    @property
    def meta_description(self):
        return self.search_description or self.summary

    def permissions_for_user(self, user):
        return ReviewedPagePermissionTester(user, self)

    def pages_that_show_it(self):
        """The clinic's clinician profiles list the treatments each provides
        (clinics/content_changes.py); the providers may just have changed."""
        return ClinicianPage.objects.filter(path__startswith=clinic_home_path(self))

    def submission_blockers(self, user, parent=None):
        """Why this content may not be submitted for review, as messages:
        error findings of the health-advertising check. Medical reviewers may
        submit it anyway: they approve it only with an override reason."""
        from .claims.checker import ERROR
        from .claims.pages import page_findings
        from .review import is_medical_reviewer

        if is_medical_reviewer(user):
            return []
        errors = [f for f in page_findings(self, parent=parent) if f.severity == ERROR]
        if not errors:
            return []
        summary = _(
            "The health-advertising check found %(count)s problem(s) to fix "
            "before this page can go to medical review (or ask a medical "
            "reviewer, who may approve it with a recorded reason):"
        ) % {"count": len(errors)}
        details = " ".join(f"{f.rule}: “{f.excerpt}” — {f.message}" for f in errors)
        return [f"{summary} {details}"]

    @property
    def current_review(self):
        """(clinician, date) of the medical review of what is live, or None.

        A review belongs to the revision it approved; an alias shows its
        original's."""
        if self.alias_of_id:
            original = self.alias_of.specific
            return getattr(original, "current_review", None)
        if (
            self.reviewed_by_id
            and self.last_reviewed
            and self.reviewed_revision_id
            and self.reviewed_revision_id == self.live_revision_id
        ):
            return self.reviewed_by, self.last_reviewed
        return None

    def next_review_due(self, interval_months):
        review = self.current_review
        return months_later(review[1], interval_months) if review else None

    def get_admin_display_title(self):
        # Reviewers work across clinics: their queue names each page's clinic.
        from clinics.identity import clinic_settings_for_page

        title = super().get_admin_display_title()
        clinic = clinic_settings_for_page(self).name
        return f"{title} · {clinic}" if clinic else title

    def provider_profiles(self):
        """(clinician, their profile page in this clinic or None)."""
        providers = list(self.providers.all())
        if not providers:
            return []
        site_root = self.url_path.split("/", 2)[1]
        profiles = {
            page.clinician_id: page
            for page in without_restricted(ClinicianPage.objects.live()).filter(
                url_path__startswith=f"/{site_root}/", clinician__in=providers
            )
        }
        return [(clinician, profiles.get(clinician.pk)) for clinician in providers]

    def get_context(self, request, *args, **kwargs):
        # Every rendition of the hero image in one query (see api_images.py);
        # the body's links and images are fetched with it, when it is
        # rendered (treatment_tags.treatment_body).
        from .api_images import prefetch_api_images

        prefetch_api_images([self.hero_image], specs=None)
        prefetch_fragments(request, self, ["body", "json-ld"])
        return super().get_context(request, *args, **kwargs)


def clinic_home_path(page):
    """The tree path of the clinic's home page above ``page``: every clinic's
    home page sits directly under Wagtail's root (home/clinic_setup.py)."""
    return page.path[: 2 * Page.steplen]


class TeamPage(ClinicPageMixin, Page):
    """Who the clinic's clinicians are: a listing of their profile pages."""

    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    api_fields = [APIField("intro", writable=True)]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["treatments.ClinicianPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("team page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["profiles"] = without_restricted(
            ClinicianPage.objects.child_of(self).live()
        ).select_related("clinician", "photo")
        return context


class ClinicianPage(ClinicPageMixin, Page):
    """A clinician's profile in one clinic. The person (name, credentials,
    registration, languages, biography) is their Clinician record, the same
    one the medical review names; the photo is the clinic's own."""

    clinician = models.ForeignKey(
        Clinician, on_delete=models.PROTECT, related_name="profile_pages"
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    photo_alt_text = models.CharField(
        _("photo description"),
        max_length=250,
        blank=True,
        help_text=_("Describe the photo for people who cannot see it."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("clinician"),
        FieldPanel("photo"),
        FieldPanel("photo_alt_text"),
    ]
    api_fields = [
        APIField("clinician", serializer=ClinicianField()),
        APIField("photo", writable=True),
        APIField("photo_alt_text", writable=True),
    ]
    parent_page_types = ["treatments.TeamPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("clinician profile")

    def clean(self):
        super().clean()
        if self.photo_id and not self.photo_alt_text:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {
                    "photo_alt_text": _(
                        "Describe the photo for people who cannot see it."
                    )
                }
            )

    def pages_that_show_it(self):
        """The clinic's treatment pages that name this clinician as a
        provider link this profile (clinics/content_changes.py)."""
        return TreatmentPage.objects.filter(
            path__startswith=clinic_home_path(self), providers=self.clinician_id
        )

    def provided_treatments(self):
        site_root = self.get_parent().get_parent()
        return (
            without_restricted(TreatmentPage.objects.live())
            .descendant_of(site_root)
            .filter(providers=self.clinician)
            .order_by("title")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["treatments"] = self.provided_treatments()
        return context
