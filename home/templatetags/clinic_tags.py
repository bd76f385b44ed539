from django import template

from clinics.boundary import clinic_sections as boundary_sections
from clinics.boundary import request_site

register = template.Library()


def clinic_sections(request):
    """The live, public pages under the clinic's home page (the menu and the
    booking box), from the boundary's cached Sites."""
    site = request_site(request) if request is not None else None
    return boundary_sections(site) if site is not None else []


@register.simple_tag(takes_context=True)
def clinic_menu(context):
    """The clinic's menu: its home page's sections marked "Show in menus", in
    the order editors gave them."""
    return [
        page for page in clinic_sections(context.get("request")) if page.show_in_menus
    ]


@register.simple_tag(takes_context=True)
def clinic_section(context, model_label):
    """The clinic's live section of type ``model_label`` ("app.Model") right
    under its home page, if it has one: its treatment list, its appointment
    request form."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    wanted = ContentType.objects.get_for_model(apps.get_model(model_label)).pk
    return next(
        (
            page
            for page in clinic_sections(context.get("request"))
            if page.content_type_id == wanted
        ),
        None,
    )


@register.simple_tag(takes_context=True)
def clinic_absolute(context, url):
    """``url`` made absolute on the clinic's own site root (never on the Host
    the request came with: a cached page would carry that to others)."""
    if url.startswith(("http://", "https://")):
        return url
    request = context.get("request")
    site = request_site(request) if request is not None else None
    return (site.root_url if site else "") + url
