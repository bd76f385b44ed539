import json

from django import template
from django.utils.safestring import mark_safe

from clinics.identity import clinic_settings_for_page
from clinics.revalidation import cached_fragment
from treatments.structured_data import clinic_json_ld, site_root_url, treatment_json_ld

register = template.Library()

# Characters that could end the <script> element or confuse an HTML parser,
# escaped the way Django's json_script does.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def ld_json_script(data):
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308


@register.simple_tag(takes_context=True)
def treatment_structured_data(context, page):
    """JSON-LD for a treatment page (MedicalWebPage, therapy, FAQ, clinic)."""
    request = context.get("request")

    def render():
        clinic = clinic_settings_for_page(page, request)
        return ld_json_script(treatment_json_ld(page, clinic, request))

    return mark_safe(cached_fragment(request, page, "json-ld", render))  # noqa: S308


@register.simple_tag(takes_context=True)
def treatment_body(context, page):
    """The page's body blocks, rendered once per version of what the page
    shows (clinics.revalidation.fragment_key) for anonymous visitors."""
    request = context.get("request")

    def render():
        from treatments.api_blocks import collect_images
        from treatments.api_images import prefetch_api_images
        from treatments.links import prefetch_links

        # Every page its rich text links to in one query, every rendition
        # of its images in another.
        prefetch_links(page.body.stream_block, [page.body])
        images = []
        for child in page.body:
            collect_images(child.block, child.value, images)
        prefetch_api_images(images, specs=None)
        flat = context.flatten()
        return "".join(str(child.render_as_block(context=flat)) for child in page.body)

    return mark_safe(cached_fragment(request, page, "body", render))  # noqa: S308


@register.simple_tag(takes_context=True)
def clinic_structured_data(context, page):
    """JSON-LD describing the clinic, for its home page."""
    request = context.get("request")
    home_url = site_root_url(page, request) + "/"
    clinic = clinic_settings_for_page(page, request)
    return ld_json_script(clinic_json_ld(clinic, home_url, request))


@register.simple_tag(takes_context=True)
def absolute_on_site(context, page, url):
    """``url`` made absolute on the page's own clinic site (never the Host the
    request came with, which a cached page would then carry to others)."""
    if url.startswith(("http://", "https://")):
        return url
    return site_root_url(page, context.get("request")) + url


@register.filter
def reference_numbers(text):
    """ "1, 3" as [1, 3] (see blocks.reference_numbers_block)."""
    from treatments.blocks import cited_numbers

    return cited_numbers(text)


@register.simple_tag(takes_context=True)
def medical_review(context, page):
    """Who reviewed what is live and when, and when the next review is due,
    in the clinic's own terms; None when the live content is not reviewed."""
    review = getattr(page, "current_review", None)
    if review is None:
        return None
    clinic = clinic_settings_for_page(page, context.get("request"))
    clinician, reviewed_on = review
    return {
        "clinician": clinician,
        "date": reviewed_on,
        "next_due": page.next_review_due(clinic.review_interval_months),
    }


@register.simple_tag(takes_context=True)
def clinician_structured_data(context, profile):
    from treatments.structured_data import clinician_json_ld

    request = context.get("request")
    clinic = clinic_settings_for_page(profile, request)
    return ld_json_script(clinician_json_ld(profile, clinic, request))
