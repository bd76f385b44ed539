"""The appointment request through the v3 API, for a headless front-end's
own form (Wagtail has no form submission API). The same rules as the page:
minimal fields, consent required, a honeypot, a rate limit per address."""

from http import HTTPStatus
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, field_validator
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth

from clinics.boundary import api_site
from clinics.identity import clinic_settings_for_site_id
from clinics.sensitive import mark_sensitive

from .forms import AppointmentRequestForm, RateLimited, check_rate
from .models import AppointmentRequest

router = Router(tags=["appointment requests"])


class AppointmentRequestInput(Schema):
    name: str = Field(max_length=120)
    email: str = Field("", max_length=200, description="Give an email or a phone.")
    phone: str = Field("", max_length=40)
    preferred_times: str = Field(max_length=300, description="When suits them.")
    reason: str = Field(
        "",
        max_length=300,
        description="A few words at most; never detailed health history.",
    )
    consent: Literal[True] = Field(
        description="The visitor agreed that the clinic may store these details to "
        "contact them, as its privacy notice describes."
    )
    website: str = Field("", description="Leave empty.")

    @field_validator("consent", mode="before")
    @classmethod
    def consent_is_explicit(cls, value):
        # JSON true only: pydantic would take 1 or "yes" as True.
        if value is not True:
            raise ValueError("consent must be true")
        return value


class AppointmentRequestReceived(Schema):
    status: Literal["received"]
    message: str


class Problem(Schema):
    """Wagtail's API errors (RFC 9457 problem details), documented here so a
    front-end's form can show ``detail`` (and each of ``errors``) to the visitor."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


@router.post(
    "/",
    response={
        201: AppointmentRequestReceived,
        400: Problem,  # not JSON, or a malformed ?site=
        404: Problem,  # no clinic at ?site=
        409: Problem,  # the clinic has no privacy notice published yet
        422: Problem,  # a missing field, no consent, no way to reach them
        429: Problem,  # too many requests from one address
    },
    url_name="create_appointment_request",
    summary="Request an appointment at the clinic",
    operation_id="appointment_requests_create",
    auth=[BearerTokenAuth(), AllowAnonymous()],
)
def create_appointment_request(request, data: AppointmentRequestInput):
    mark_sensitive(request)
    site = api_site(request)
    if clinic_settings_for_site_id(site.pk, request).privacy_notice is None:
        raise HttpError(
            HTTPStatus.CONFLICT,
            _(
                "This clinic takes appointment requests once its privacy notice "
                "is published; please call the clinic."
            ),
        )
    form = AppointmentRequestForm({**data.dict(), "consent": "on"}, site=site)
    if not form.is_valid():
        raise HttpError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            " ".join(
                message if field == "__all__" else f"{field}: {message}"
                for field, errors in form.errors.items()
                for message in errors
            ),
        )
    try:
        check_rate(request, site)
    except RateLimited as limited:
        raise HttpError(HTTPStatus.TOO_MANY_REQUESTS, str(limited)) from None
    if not form.is_spam():
        AppointmentRequest.receive(site, form.cleaned_data, "api")
    return Status(
        201,
        {
            "status": "received",
            "message": _("Thank you: the clinic will contact you to arrange a time."),
        },
    )
