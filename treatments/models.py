from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from clinics.publishing import ClinicPageMixin

from .blocks import TreatmentStreamBlock
from .review import Clinician, ClinicianField, MedicalReviewTask
from .structured_data import StructuredDataField

__all__ = ["Clinician", "MedicalReviewTask", "TreatmentIndexPage", "TreatmentPage"]


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

    def get_treatments(self):
        return (
            TreatmentPage.objects.child_of(self)
            .live()
            .public()
            .select_related("hero_image")
            .order_by("title")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["treatments"] = self.get_treatments()
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

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
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
    def meta_description(self):
        return self.search_description or self.summary

    def get_context(self, request, *args, **kwargs):
        # Every page its rich text links to, in one query (see links.py).
        from .links import prefetch_links

        prefetch_links(self.body.stream_block, [self.body])
        return super().get_context(request, *args, **kwargs)
