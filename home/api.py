"""The clinic's identity in the headless API, for the requested site."""

from ninja import Router, Schema
from pydantic import Field

from clinics.identity import clinic_settings
from treatments.api_images import ApiImage, image_representation


class ClinicSchema(Schema):
    """The public identity of one clinic (its ClinicSettings)."""

    site: str = Field(description="Hostname of the clinic's site.")
    root_url: str = Field(description="Absolute URL of the clinic's home page.")
    name: str
    tagline: str
    address_lines: list[str]
    phone: str
    email: str
    opening_hours_lines: list[str]
    booking_url: str
    brand_colour: str = Field(description="#rrggbb; white text is readable on it.")
    logo: ApiImage | None
    privacy_notice_url: str | None = Field(
        description="Absolute URL of the clinic's privacy notice, to link beside "
        "the consent of an appointment request form; null while it has none "
        "(requests are then refused)."
    )


router = Router(tags=["clinic"])


@router.get(
    "/",
    response=ClinicSchema,
    url_name="clinic",
    summary="The clinic of this site",
    operation_id="clinic_detail",
)
def clinic_detail(request, site: str | None = None):
    # ``site`` is read by clinics.boundary.api_site() from the query string;
    # declared here so it appears in the OpenAPI schema.
    settings = clinic_settings(request)
    return {
        "site": settings.site.hostname,
        "root_url": settings.site.root_url,
        "name": settings.name,
        "tagline": settings.tagline,
        "address_lines": settings.address_lines,
        "phone": settings.phone,
        "email": settings.email,
        "opening_hours_lines": settings.opening_hours_lines,
        "booking_url": settings.booking_url,
        "brand_colour": settings.brand_colour,
        "logo": image_representation(settings.logo, request),
        "privacy_notice_url": (
            settings.privacy_notice.get_full_url(request)
            if settings.privacy_notice
            else None
        ),
    }
