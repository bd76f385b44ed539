"""Every StreamField block a treatment page is built from.

Stream keys (``mechanism``, ``indications`` ...) are stored in the database:
renaming one needs a data migration. Each StructBlock renders through exactly
one template, ``templates/blocks/<key>.html``.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

from clinics.identity import booking_url

# Rich text only carries what the design can show: no headings inside answers,
# no embeds, no raw HTML.
RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def heading_block(default="", required=True):
    return blocks.CharBlock(
        max_length=120,
        required=required,
        default=default,
        help_text="Section heading shown to visitors.",
    )


def intro_block():
    return blocks.TextBlock(
        required=False,
        help_text="Optional short paragraph under the heading.",
    )


REFERENCE_NUMBERS = re.compile(r"^\s*\d+(\s*,\s*\d+)*\s*$")


def reference_numbers_block():
    """Which of the page's references back a point: "1" or "1, 3"."""
    return blocks.CharBlock(
        required=False,
        max_length=40,
        label=_("References"),
        help_text=_(
            "Numbers of the entries in this page's References block that back "
            "this, e.g. 1, 3. Never cite a source you have not read."
        ),
        validators=[
            RegexValidator(
                REFERENCE_NUMBERS, _("Enter reference numbers such as 1 or 1, 3.")
            )
        ],
    )


def cited_numbers(text):
    return [int(n) for n in re.findall(r"\d+", text or "")]


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        max_length=120, help_text="e.g. Promotes collagen production"
    )
    explanation = blocks.TextBlock(help_text="One or two plain sentences.")

    class Meta:
        icon = "list-ol"
        label = "Step"


class ConditionBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=120, help_text="e.g. Chronic joint pain")
    description = blocks.TextBlock(required=False)

    class Meta:
        icon = "check"
        label = "Condition"


class PointBlock(blocks.StructBlock):
    """A titled point, used for benefits and for risks."""

    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock()
    references = reference_numbers_block()

    class Meta:
        icon = "circle-check"
        label = "Item"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    answer = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = "Question"


class MechanismBlock(blocks.StructBlock):
    heading = heading_block("How it works")
    intro = intro_block()
    steps = blocks.ListBlock(StepBlock(), min_num=1)

    class Meta:
        icon = "cogs"
        label = "How it works"
        template = "blocks/mechanism.html"
        description = "The mechanism of the treatment as ordered steps."
        preview_value = {
            "heading": "How it works",
            "intro": "The treatment works in a few stages.",
            "steps": [
                {"title": "First stage", "explanation": "What happens first."},
                {"title": "Second stage", "explanation": "What follows."},
            ],
        }


class IndicationsBlock(blocks.StructBlock):
    heading = heading_block("What it treats")
    intro = intro_block()
    conditions = blocks.ListBlock(ConditionBlock(), min_num=1)

    class Meta:
        icon = "clipboard-list"
        label = "What it treats"
        template = "blocks/indications.html"
        description = "The conditions the treatment may be considered for."
        preview_value = {
            "heading": "What it treats",
            "conditions": [
                {"name": "A condition", "description": "When it may be considered."},
                {"name": "Another condition", "description": ""},
            ],
        }


class BenefitsBlock(blocks.StructBlock):
    heading = heading_block("Benefits")
    intro = intro_block()
    items = blocks.ListBlock(PointBlock(), min_num=1)

    class Meta:
        icon = "success"
        label = "Benefits"
        template = "blocks/benefits.html"
        description = "Potential benefits, each with a short explanation."
        preview_value = {
            "heading": "Benefits",
            "items": [{"title": "A potential benefit", "text": "Why it may help."}],
        }


class RisksBlock(blocks.StructBlock):
    heading = heading_block("Risks and side effects")
    intro = intro_block()
    items = blocks.ListBlock(PointBlock(), min_num=1)
    evidence_note = blocks.TextBlock(
        required=False,
        help_text="An honest note on the strength of the evidence, shown "
        "highlighted after the risks.",
    )
    evidence_references = reference_numbers_block()

    class Meta:
        icon = "warning"
        label = "Risks"
        template = "blocks/risks.html"
        description = "Side effects and risks, with a note on the evidence."
        preview_value = {
            "heading": "Risks and side effects",
            "items": [{"title": "Soreness", "text": "Where and how long."}],
            "evidence_note": "What the research does and does not show.",
        }


class FAQBlock(blocks.StructBlock):
    heading = heading_block("Frequently asked questions")
    items = blocks.ListBlock(QuestionBlock(), min_num=1)

    class Meta:
        icon = "help"
        label = "FAQ"
        template = "blocks/faq.html"
        description = "Questions and answers, shown as expandable items."
        preview_value = {
            "heading": "Frequently asked questions",
            "items": [
                {"question": "A common question?", "answer": "<p>A clear answer.</p>"}
            ],
        }


class RichTextSectionBlock(blocks.StructBlock):
    heading = heading_block(required=False)
    body = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        label = "Text section"
        template = "blocks/rich_text.html"
        description = "A general section: an optional heading and formatted text."
        preview_value = {
            "heading": "About this treatment",
            "body": "<p>Formatted text with <b>bold</b> and <i>italic</i>.</p>",
        }


class CallToActionBlock(blocks.StructBlock):
    heading = heading_block("Book an appointment")
    text = blocks.TextBlock(required=False)
    button_label = blocks.CharBlock(max_length=40, default="Book an appointment")
    link_page = blocks.PageChooserBlock(
        required=False, help_text="Link to a page of this site…"
    )
    link_url = blocks.URLBlock(
        required=False,
        help_text="…or to another address. Leave both empty to use the clinic's "
        "booking link from its settings.",
    )

    class Meta:
        icon = "link-external"
        label = "Call to action"
        template = "blocks/call_to_action.html"
        description = "A highlighted box with a button, by default to book."
        preview_value = {
            "heading": "Book an appointment",
            "text": "Schedule an assessment with our team.",
            "button_label": "Book an appointment",
        }

    def get_link(self, value, request=None, default_url=""):
        """Where the button leads: a chosen live page, an address, or else the
        clinic's booking link (``default_url``)."""
        page = value.get("link_page")
        if page is not None and page.live:
            return page.get_url(request=request)
        return value.get("link_url") or default_url

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        context["link"] = self.get_link(
            value, request=request, default_url=booking_url(request)
        )
        return context

    def clean(self, value):
        value = super().clean(value)
        if value.get("link_page") and value.get("link_url"):
            message = "Choose a page or enter an address, not both."
            raise StructBlockValidationError(
                block_errors={
                    "link_page": ValidationError(message),
                    "link_url": ValidationError(message),
                }
            )
        return value


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        help_text="Describe the image for people who cannot see it.",
    )
    caption = blocks.CharBlock(max_length=250, required=False)
    consent_recorded = blocks.BooleanBlock(
        required=False,
        label=_("Patient's consent recorded"),
        help_text=_(
            "For an image of a patient (before and after a treatment): tick only "
            "if the clinic holds the patient's express consent to this use, "
            "given after their treatment."
        ),
    )

    class Meta:
        icon = "image"
        label = "Image"
        template = "blocks/image.html"
        description = "An image with alternative text and an optional caption."
        preview_value = {"alt_text": "", "caption": "An image with a caption."}


class ReferenceBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=300, label=_("Title"))
    source = blocks.CharBlock(
        max_length=300,
        label=_("Authors or source"),
        help_text=_("e.g. the authors, or the organisation that published it."),
    )
    year = blocks.IntegerBlock(
        required=False, min_value=1800, max_value=2100, label=_("Year")
    )
    link = blocks.URLBlock(required=False, label=_("Link"))
    doi = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("DOI"),
        validators=[
            RegexValidator(
                r"^10\.\d{4,9}/\S+$", _("Enter a DOI such as 10.1000/xyz123.")
            )
        ],
    )

    class Meta:
        icon = "openquote"
        label = _("Reference")


class ReferencesBlock(blocks.StructBlock):
    heading = heading_block("References")
    items = blocks.ListBlock(ReferenceBlock(), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("References")
        template = "blocks/references.html"
        description = _(
            "The sources behind the page's claims, as a numbered list that "
            "benefits, risks and the evidence note can point to."
        )
        preview_value = {
            "heading": "References",
            "items": [
                {"title": "Title of a published source", "source": "Its authors"}
            ],
        }


class TreatmentStreamBlock(blocks.StreamBlock):
    mechanism = MechanismBlock()
    indications = IndicationsBlock()
    benefits = BenefitsBlock()
    risks = RisksBlock()
    faq = FAQBlock()
    rich_text = RichTextSectionBlock()
    call_to_action = CallToActionBlock()
    image = ImageBlock()
    references = ReferencesBlock()

    def clean(self, value):
        value = super().clean(value)
        available = sum(
            len(child.value["items"])
            for child in value
            if child.block_type == "references"
        )
        errors = {}
        for position, child in enumerate(value):
            cited = [
                number
                for point in self.points_of(child)
                for number in cited_numbers(point)
            ]
            missing = sorted({n for n in cited if not 1 <= n <= available})
            if missing:
                errors[position] = ValidationError(
                    _(
                        "This points to reference %(numbers)s, but the page's "
                        "References block has %(count)s entries."
                    )
                    % {"numbers": ", ".join(map(str, missing)), "count": available}
                )
        if errors:
            raise blocks.StreamBlockValidationError(block_errors=errors)
        return value

    @staticmethod
    def points_of(child):
        """The reference numbers a block's points and evidence note give."""
        if child.block_type in ("benefits", "risks"):
            yield from (item.get("references") for item in child.value["items"])
        if child.block_type == "risks":
            yield child.value.get("evidence_references")


class GeneralStreamBlock(blocks.StreamBlock):
    """The blocks of a clinic's general pages (About us, Visit us, policies):
    text, images, questions and a call to action; the treatment blocks stay
    on treatment pages."""

    rich_text = RichTextSectionBlock()
    image = ImageBlock()
    faq = FAQBlock()
    call_to_action = CallToActionBlock()
