import zoneinfo

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail.search import index

from clinics.boundary import object_in_clinic, without_restricted
from clinics.listing import ListPage
from clinics.publishing import ClinicPageMixin
from treatments.blocks import GeneralStreamBlock
from treatments.claims.rules import PROVINCES
from treatments.models import TreatmentPage

# How many treatments the home page shows before "See all our treatments".
HOME_PAGE_TREATMENTS = 12

# The page types a clinic's home page holds; its menu lists those shown in it.
CLINIC_SECTIONS = [
    "treatments.TreatmentIndexPage",
    "treatments.TeamPage",
    "home.ContentPage",
    "home.VisitPage",
    "appointments.AppointmentRequestPage",
]


class HomePage(ClinicPageMixin, Page):
    """The front page of one clinic's site; one per clinic, under the root."""

    intro = models.TextField(
        blank=True, help_text="A short welcome shown under the clinic's name."
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A wide image at the top of the home page."),
    )
    hero_alt_text = models.CharField(
        _("hero image description"),
        max_length=250,
        blank=True,
        help_text=_("Describe the image, or leave empty if it is decoration only."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("hero_alt_text"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro", writable=True)]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = CLINIC_SECTIONS

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
        return without_restricted(
            TreatmentPage.objects.descendant_of(self).live()
        ).order_by("title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The first treatments only, and a link to the full list when there
        # are more: a clinic with hundreds of treatments keeps a short home
        # page, quick to render after every publish.
        first = ListPage.of(self.get_treatments(), 1, HOME_PAGE_TREATMENTS)
        context["treatments"] = first.items
        context["more_treatments"] = first.next_number is not None
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

    transit_notes = models.TextField(
        _("getting here"),
        blank=True,
        help_text=_("Transit, parking and directions, shown on the Visit us page."),
    )
    accessibility_notes = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_(
            "Step-free access, lifts, washrooms and anything else visitors may "
            "need to know."
        ),
    )
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A small square image browsers show in the tab."),
    )
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Shown when a page without its own image is shared on social media."
        ),
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The clinic's privacy notice, linked from the appointment request form."
        ),
    )
    appointment_notification_email = models.EmailField(
        _("appointment request notifications to"),
        blank=True,
        help_text=_(
            "Told that a request arrived (never what it says). The clinic's email "
            "address if empty."
        ),
    )
    appointment_retention_days = models.PositiveSmallIntegerField(
        _("keep appointment requests for (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Requests older than this are deleted (1 to 3650 days). Set by the "
            "operator."
        ),
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

    select_related = ["logo", "favicon", "social_image"]

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
            [
                FieldPanel("name"),
                FieldPanel("tagline"),
                FieldPanel("logo"),
                FieldPanel("favicon"),
                FieldPanel("social_image"),
            ],
            heading="Identity",
        ),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("opening_hours"),
                FieldPanel("booking_url"),
                FieldPanel("transit_notes"),
                FieldPanel("accessibility_notes"),
            ],
            heading="Contact and booking",
        ),
        MultiFieldPanel(
            [
                FieldPanel("privacy_page"),
                FieldPanel("appointment_notification_email"),
                # How long health information is kept is the operator's
                # decision (its privacy officer's), not the clinic editors'.
                FieldPanel("appointment_retention_days", permission="superuser"),
            ],
            heading=_("Appointment requests"),
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
        errors = {
            name: _("Choose one of this clinic's own images and pages.")
            for name in ("logo", "favicon", "social_image", "privacy_page")
            if getattr(self, f"{name}_id")
            and self.site_id
            and not object_in_clinic(
                type(self)._meta.get_field(name).related_model,
                getattr(self, f"{name}_id"),
                self.site,
            )
        }
        if errors:
            raise ValidationError(errors)
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

    @cached_property
    def privacy_notice(self):
        """The privacy page if visitors can read it (live, not restricted),
        else None: the request form never links a dead or private page."""
        page = self.privacy_page
        if page is None or not page.live or page.get_view_restrictions().exists():
            return None
        return page

    @property
    def notification_email(self):
        return self.appointment_notification_email or self.email

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


class ContentPage(ClinicPageMixin, Page):
    """A general page of a clinic: About us, Policies, a privacy notice."""

    intro = models.TextField(
        blank=True, help_text=_("A short paragraph under the title.")
    )
    body = StreamField(GeneralStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    api_fields = [APIField("intro", writable=True), APIField("body", writable=True)]

    parent_page_types = ["home.HomePage", "home.ContentPage"]
    subpage_types = ["home.ContentPage"]

    class Meta:
        verbose_name = _("content page")


class VisitPage(ClinicPageMixin, Page):
    """Visit us: the clinic's address, hours, phone, how to get there and its
    accessibility, all from its settings, with a link to a map."""

    intro = models.TextField(blank=True)
    body = StreamField(GeneralStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    api_fields = [APIField("intro", writable=True), APIField("body", writable=True)]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("visit us page")

    @staticmethod
    def map_url(clinic):
        """A link to the address on OpenStreetMap: the page itself loads no
        map, script or tile from the internet."""
        from urllib.parse import quote_plus

        address = ", ".join(clinic.address_lines)
        return f"https://www.openstreetmap.org/search?query={quote_plus(address)}"

    def get_context(self, request, *args, **kwargs):
        from clinics.identity import clinic_settings

        context = super().get_context(request, *args, **kwargs)
        clinic = clinic_settings(request)
        context["map_url"] = self.map_url(clinic) if clinic.address_lines else ""
        return context
