import json

from django import template
from django.utils.safestring import mark_safe

from treatments.structured_data import clinic_json_ld, treatment_json_ld

register = template.Library()

# Characters that could end the <script> element or confuse an HTML parser,
# escaped the way Django's json_script does.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def ld_json_script(data):
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


def _clinic(context):
    return context["settings"]["home"]["ClinicSettings"]


@register.simple_tag(takes_context=True)
def treatment_structured_data(context, page):
    """JSON-LD for a treatment page (MedicalWebPage, therapy, FAQ, clinic)."""
    request = context.get("request")
    return ld_json_script(treatment_json_ld(page, _clinic(context), request))


@register.simple_tag(takes_context=True)
def clinic_structured_data(context, page):
    """JSON-LD describing the clinic, for its home page."""
    request = context.get("request")
    home_url = page.get_site().root_url + "/"
    return ld_json_script(clinic_json_ld(_clinic(context), home_url, request))
