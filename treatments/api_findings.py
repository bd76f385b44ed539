"""The health-advertising findings of a page in the v3 API, for token holders
who may edit it (a front-end's own editing tools, batch checks)."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.models import Page

from .claims.pages import page_findings, page_province

router = Router(tags=["pages"], auth=BearerTokenAuth())


class FindingSchema(Schema):
    rule: str = Field(description="Rule id, e.g. ON-superlative.")
    severity: Literal["error", "warning"]
    excerpt: str = Field(description="The sentence that matched.")
    message: str = Field(description="What is wrong, and the rule's source.")
    where: str = Field(
        description="Where on the page, e.g. 'Benefits (block 3) › items › 1 › text'."
    )


class PageFindingsSchema(Schema):
    page_id: int
    province: str
    findings: list[FindingSchema]


@router.get(
    "/{page_id}/findings/",
    response=PageFindingsSchema,
    url_name="page_findings",
    summary="Health-advertising findings of a page's latest draft",
    operation_id="pages_findings",
)
def page_findings_detail(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied(
            "Only those who may edit this page may read its findings."
        )
    draft = page.get_latest_revision_as_object()
    return {
        "page_id": page.pk,
        "province": page_province(draft, request),
        "findings": [finding.as_dict() for finding in page_findings(draft, request)],
    }
