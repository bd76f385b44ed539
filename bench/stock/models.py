from django.conf import settings
from django.db import models
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import TreatmentStreamBlock


class HomePage(Page):
    intro = models.TextField(blank=True)
    api_fields = [APIField("intro")]


class TreatmentIndexPage(Page):
    intro = models.TextField(blank=True)
    api_fields = [APIField("intro")]
    subpage_types = ["treatments.TreatmentPage"]


class TreatmentPage(Page):
    summary = models.TextField()
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(TreatmentStreamBlock())
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_reviewed = models.DateField(null=True, blank=True)
    show_booking_box = models.BooleanField(default=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("hero_image"),
        APIField("body"),
        APIField("reviewed_by"),
        APIField("last_reviewed"),
    ]
    parent_page_types = ["treatments.TreatmentIndexPage"]
