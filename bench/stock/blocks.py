"""The product's treatment block types (treatments/blocks.py) with stock
Wagtail blocks only: the same names, children and storage, no API
customisation."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    explanation = blocks.TextBlock()


class ConditionBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=120)
    description = blocks.TextBlock(required=False)


class PointBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock()


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    answer = blocks.RichTextBlock()


def heading():
    return blocks.CharBlock(max_length=120)


def intro():
    return blocks.TextBlock(required=False)


class MechanismBlock(blocks.StructBlock):
    heading = heading()
    intro = intro()
    steps = blocks.ListBlock(StepBlock(), min_num=1)

    class Meta:
        template = "blocks/mechanism.html"


class IndicationsBlock(blocks.StructBlock):
    heading = heading()
    intro = intro()
    conditions = blocks.ListBlock(ConditionBlock(), min_num=1)

    class Meta:
        template = "blocks/indications.html"


class BenefitsBlock(blocks.StructBlock):
    heading = heading()
    intro = intro()
    items = blocks.ListBlock(PointBlock(), min_num=1)

    class Meta:
        template = "blocks/points.html"


class RisksBlock(blocks.StructBlock):
    heading = heading()
    intro = intro()
    items = blocks.ListBlock(PointBlock(), min_num=1)
    evidence_note = blocks.TextBlock(required=False)

    class Meta:
        template = "blocks/points.html"


class FAQBlock(blocks.StructBlock):
    heading = heading()
    items = blocks.ListBlock(QuestionBlock(), min_num=1)

    class Meta:
        template = "blocks/faq.html"


class RichTextSectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, required=False)
    body = blocks.RichTextBlock()

    class Meta:
        template = "blocks/rich_text.html"


class CallToActionBlock(blocks.StructBlock):
    heading = heading()
    text = blocks.TextBlock(required=False)
    button_label = blocks.CharBlock(max_length=40)
    link_page = blocks.PageChooserBlock(required=False)
    link_url = blocks.URLBlock(required=False)

    class Meta:
        template = "blocks/call_to_action.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(max_length=250)
    caption = blocks.CharBlock(max_length=250, required=False)

    class Meta:
        template = "blocks/image.html"


class TreatmentStreamBlock(blocks.StreamBlock):
    mechanism = MechanismBlock()
    indications = IndicationsBlock()
    benefits = BenefitsBlock()
    risks = RisksBlock()
    faq = FAQBlock()
    rich_text = RichTextSectionBlock()
    call_to_action = CallToActionBlock()
    image = ImageBlock()
