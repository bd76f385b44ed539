"""Every StreamField block a treatment page is built from.

Stream keys (``mechanism``, ``indications`` ...) are stored in the database:
renaming one needs a data migration. Each StructBlock renders through exactly
one template, ``templates/blocks/<key>.html``.
"""

from django.core.exceptions import ValidationError
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

    class Meta:
        icon = "image"
        label = "Image"
        template = "blocks/image.html"
        description = "An image with alternative text and an optional caption."
        preview_value = {"alt_text": "", "caption": "An image with a caption."}


class TreatmentStreamBlock(blocks.StreamBlock):
    mechanism = MechanismBlock()
    indications = IndicationsBlock()
    benefits = BenefitsBlock()
    risks = RisksBlock()
    faq = FAQBlock()
    rich_text = RichTextSectionBlock()
    call_to_action = CallToActionBlock()
    image = ImageBlock()
