from django import template
from wagtail.models import Page, PageViewRestriction

from clinics.boundary import request_site

register = template.Library()


def clinic_sections(request):
    """The live, public pages under the clinic's home page, once per request
    (the menu and the booking box both read them)."""
    if request is None:
        return []
    if not hasattr(request, "_clinic_sections"):
        site = request_site(request)
        # Private sections (a view restriction of their own) are left out in
        # the same query; anything above them is the clinic's home page.
        request._clinic_sections = (
            list(
                Page.objects.child_of(site.root_page)
                .live()
                .exclude(pk__in=PageViewRestriction.objects.values("page_id"))
                .order_by("path")
            )
            if site is not None
            else []
        )
    return request._clinic_sections


@register.simple_tag(takes_context=True)
def clinic_menu(context):
    """The clinic's menu: its home page's sections marked "Show in menus", in
    the order editors gave them."""
    return [
        page for page in clinic_sections(context.get("request")) if page.show_in_menus
    ]


@register.simple_tag(takes_context=True)
def appointment_page(context):
    """The clinic's appointment request form, if it has one."""
    from django.contrib.contenttypes.models import ContentType

    from appointments.models import AppointmentRequestPage

    wanted = ContentType.objects.get_for_model(AppointmentRequestPage).pk
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
