import zoneinfo

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.search import index

from clinics.publishing import ClinicPageMixin
from treatments.claims.rules import PROVINCES
from treatments.models import TreatmentPage


class HomePage(ClinicPageMixin, Page):
    """The front page of one clinic's site; one per clinic, under the root."""

    intro = models.TextField(
        blank=True, help_text="A short welcome shown under the clinic's name."
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro", writable=True)]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["treatments.TreatmentIndexPage"]

    def route(self, request, path_components):
        """Find the page by its URL path in one query (with its parent, for
        the breadcrumb), then its specific type with its images in one more.

        Wagtail walks the tree a level at a time, two queries per level. None
        of our page types routes sub-paths itself, so the result is the same.
        """
        if not path_components:
            return super().route(request, path_components)
        url_path = self.url_path + "/".join(path_components) + "/"
        parent_path = url_path[: url_path.rstrip("/").rfind("/") + 1]
        found = {
            page.url_path: page
            for page in Page.objects.descendant_of(self).filter(
                url_path__in=[url_path, parent_path]
            )
        }
        page = found.get(url_path)
        if page is None or not page.live:
            raise Http404
        model = page.specific_class
        if model is None:
            raise Http404
        images = [
            field.name
            for field in model._meta.concrete_fields
            if field.many_to_one and issubclass(field.related_model, AbstractImage)
        ]
        specific = model._default_manager.select_related(*images).get(pk=page.pk)
        specific._cached_parent_obj = found.get(parent_path, self)
        return specific.route(request, [])

    def get_treatments(self):
        return (
            TreatmentPage.objects.descendant_of(self).live().public().order_by("title")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["treatments"] = self.get_treatments()
        return context


hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$",
    "Enter a colour as # followed by six hex digits, e.g. #1d4e89.",
)

# WCAG AA for normal text: buttons and the header put white text on the brand.
MIN_CONTRAST_WITH_WHITE = 4.5


def contrast_with_white(colour):
    """WCAG contrast ratio of white text on a #rrggbb background."""

    def channel(hex_pair):
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


@register_setting(icon="site")
class ClinicSettings(BaseSiteSetting):
    """Who the clinic is: every template takes the clinic's identity from here."""

    name = models.CharField(max_length=120, help_text="The clinic's public name.")
    tagline = models.CharField(max_length=200, blank=True)
    address = models.TextField(
        blank=True, help_text="Street address, one line per row."
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    opening_hours = models.TextField(
        blank=True, help_text="One line per period, e.g. 'Monday–Friday: 9:00–17:00'."
    )
    booking_url = models.URLField(
        blank=True,
        help_text="Where the 'Book an appointment' buttons lead, unless a block "
        "says otherwise.",
    )
    brand_colour = models.CharField(
        max_length=7,
        default="#1d4e89",
        validators=[hex_colour],
        help_text="Main colour of the clinic's site (e.g. #1d4e89). Choose a dark "
        "colour: white text is shown on it.",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(
        max_length=10,
        default="en-CA",
        validators=[
            RegexValidator(
                r"^[a-z]{2,3}(-[A-Z]{2})?$",
                "Enter a language tag such as en-CA or fr-CA.",
            )
        ],
        help_text="The language of the clinic's pages, e.g. en-CA or fr-CA "
        "(used by browsers, screen readers and search engines).",
    )

    province = models.CharField(
        _("province"),
        max_length=2,
        choices=[(code, province.name) for code, province in PROVINCES.items()],
        default="ON",
        help_text=_(
            "Where the clinic practises: its college's advertising rules apply to "
            "its pages."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/Toronto",
        help_text=_(
            "The clinic's own time zone (e.g. America/Vancouver): review dates "
            "and times are shown in it."
        ),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("medical review interval (months)"),
        default=12,
        help_text=_("How long a medical review stays current."),
    )

    select_related = ["logo"]

    # Every page and API answer reads its clinic's settings: they are kept in
    # the cache (cleared when saved) rather than read from the database each
    # time.
    @classmethod
    def cache_key(cls, site_id):
        return f"clinic-settings:{site_id}"

    @classmethod
    def for_site(cls, site):
        if site is None:
            return super().for_site(site)
        return cls.for_site_id(site.pk)

    @classmethod
    def for_site_id(cls, site_id):
        instance = cache.get(cls.cache_key(site_id))
        if instance is None:
            instance, _ = cls.base_queryset().get_or_create(site_id=site_id)
            cache.set(cls.cache_key(site_id), instance, 3600)
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.cache_key(self.site_id))

    def delete(self, *args, **kwargs):
        cache.delete(self.cache_key(self.site_id))
        return super().delete(*args, **kwargs)

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("tagline"), FieldPanel("logo")],
            heading="Identity",
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("opening_hours"),
                FieldPanel("booking_url"),
            ],
            heading="Contact and booking",
        ),
        MultiFieldPanel(
            [FieldPanel("brand_colour"), FieldPanel("language")],
            heading="Presentation",
        ),
        MultiFieldPanel(
            [
                FieldPanel("province"),
                FieldPanel("time_zone"),
                FieldPanel("review_interval_months"),
            ],
            heading=_("Practice and medical review"),
        ),
    ]

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"

    def __str__(self):
        return self.name or super().__str__()

    def clean(self):
        super().clean()
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError(
                {
                    "time_zone": _(
                        "Enter a time zone such as America/Toronto or "
                        "America/Vancouver."
                    )
                }
            )
        colour = self.brand_colour or ""
        if hex_colour.regex.fullmatch(colour):
            ratio = contrast_with_white(colour)
            if ratio < MIN_CONTRAST_WITH_WHITE:
                raise ValidationError(
                    {
                        "brand_colour": f"White text on {colour} has a contrast "
                        f"of {ratio:.1f}:1; choose a darker colour (at least "
                        f"{MIN_CONTRAST_WITH_WHITE}:1)."
                    }
                )

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def og_locale(self):
        """The language in Open Graph's form (en_CA)."""
        return self.language.replace("-", "_")

    @property
    def address_lines(self):
        return [line for line in self.address.splitlines() if line.strip()]

    @property
    def opening_hours_lines(self):
        return [line for line in self.opening_hours.splitlines() if line.strip()]
