"""The clinic boundary in the headless API (v2 and v3), and what every API
response shares: parsed input, JSON errors, HTTP caching.

- v2: Wagtail's endpoints, with their querysets from the boundary
  (``ClinicPagesAPIViewSet`` and the media endpoints).
- v3: Wagtail's routers take their listings from module-level queryset
  functions and have no other hook for it, so ``scope_v3`` replaces those
  functions with the boundary's (and the redirect listing, which has none,
  with one that does the same as Wagtail's on the boundary's queryset).
  ``api_url_guard`` refuses any v3 URL whose page, image, document or
  redirect id is not of the requested clinic, so a write or action on another
  clinic's object is a 404 before Wagtail loads it.
- Both: ``headless_view`` parses the input (``clinics.api_input``), answers
  every error in JSON and adds caching headers.
"""

import json
import re
from functools import cache, wraps
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from ninja.errors import HttpError
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.errors import problem_response
from wagtail.documents import get_document_model
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page

from . import api_input, boundary, revalidation

V3_PATH_PREFIX = "/api/v3/"


# Errors, always JSON on API URLs


def error_response(request, status, message):
    """An API error in the form of the API version asked: RFC 7807 problem
    JSON for v3 (as Wagtail's v3 answers), ``{"message"}`` for v2."""
    if request.path.startswith(V3_PATH_PREFIX):
        return problem_response(status=status, detail=message)
    return JsonResponse({"message": message}, status=status)


# v2


class ClinicPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's v2 pages endpoint on the requested clinic's public pages."""

    def get_base_queryset(self):
        # v2 is the public, read-only API: what an anonymous visitor may read,
        # whoever asks. Wagtail asks for it up to three times per request,
        # each time reading the view restrictions again.
        if not hasattr(self, "_base_queryset"):
            self._base_queryset = boundary.readable_pages(
                self.request, as_anonymous=True
            )
        return self._base_queryset.all()

    def get_root_page(self):
        # ``child_of=root``: the requested clinic's home page.
        return boundary.api_site(self.request).root_page

    def find_object(self, queryset, request):
        # Wagtail v2 routes html_path on the Host's site and ignores ?site=;
        # route on the requested clinic instead.
        if "html_path" in request.GET:
            site = boundary.api_site(request)
            components = [c for c in request.GET["html_path"].split("/") if c]
            try:
                page, _, _ = site.root_page.specific.route(request, components)
            except Http404:
                return None
            return queryset.filter(id=page.id).first()
        return super().find_object(queryset, request)


class ClinicImagesAPIViewSet(ImagesAPIViewSet):
    def get_queryset(self):
        return boundary.readable_media(self.request, super().get_queryset())


class ClinicDocumentsAPIViewSet(DocumentsAPIViewSet):
    def get_queryset(self):
        return boundary.readable_media(self.request, super().get_queryset())


def v2_endpoint_model(view, request):
    """The model a v2 endpoint filters, for parsing its field filters."""
    viewset = getattr(view, "cls", None)
    model = getattr(viewset, "model", None)
    if model is Page and request.GET.get("type"):
        from wagtail.api.v2.utils import page_models_from_string

        try:
            models = page_models_from_string(request.GET["type"])
        except (LookupError, ValueError):
            return model  # Wagtail answers "type doesn't exist"
        return models[0] if len(models) == 1 else model
    return model


# v3


def clinic_pages_queryset(request, model=Page):
    """Wagtail v3's page queryset (``get_pages_queryset``), for the requested
    clinic: its readable pages, and with ``version=draft`` only those the
    caller may edit. Wagtail 8.0 gives a token's user every page they may
    edit on any site, and not the site's public pages."""
    queryset = boundary.readable_pages(request, model)
    if request.GET.get("version") == "draft" and request.user.is_authenticated:
        queryset = queryset.filter(pk__in=boundary.editable_pages(request.user))
    return queryset.select_related("content_type", "locale").order_by("pk")


def scope_v3():
    """Point Wagtail's v3 routers at the boundary's querysets."""
    from importlib import import_module

    pages_router = import_module("wagtail.api.v3.routers.pages")
    images_router = import_module("wagtail.images.api.v3.router")
    documents_router = import_module("wagtail.documents.api.v3.router")
    redirects_router = import_module("wagtail.contrib.redirects.api.v3.router")

    pages_router.get_pages_queryset = clinic_pages_queryset
    for router, name in (
        (images_router, "get_images_queryset"),
        (documents_router, "get_documents_queryset"),
    ):
        wagtail_queryset = getattr(router, name)
        if getattr(wagtail_queryset, "clinic_scoped", False):
            continue
        scoped = _scoped_media(wagtail_queryset)
        setattr(router, name, scoped)
    _scope_redirect_listing(redirects_router)


def _scoped_media(wagtail_queryset):
    @wraps(wagtail_queryset)
    def scoped(request):
        return boundary.readable_media(request, wagtail_queryset(request))

    scoped.clinic_scoped = True
    return scoped


def _scope_redirect_listing(redirects_router):
    """Wagtail's v3 redirect listing reads ``Redirect.objects.all()`` in the
    view itself. Its Ninja operation is given the same view on the
    requested clinic's redirects; the parameters are Wagtail's, unchanged."""
    from ninja import Query
    from ninja.pagination import paginate
    from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
    from wagtail.api.v3.schemas.params import APIFieldFilterSchema, OrderingSchema
    from wagtail.contrib.redirects.models import Redirect

    operation = redirects_router.list_redirects._ninja_operation
    if getattr(operation.view_func, "clinic_scoped", False):
        return

    @paginate(WagtailLimitOffsetPagination, pass_parameter="pagination_info")  # noqa: S106
    def list_clinic_redirects(
        request,
        ordering: OrderingSchema = Query(...),  # noqa: B008 (Ninja parameter)
        **kwargs,
    ):
        base_fields = redirects_router.BASE_REDIRECT_READ_FIELDS
        queryset = boundary.readable_redirects(request, Redirect.objects.all())
        queryset = APIFieldFilterSchema.with_exclude_schemas(
            raw_params=request.GET, schemas=(OrderingSchema,), base_fields=base_fields
        ).filter_queryset(queryset)
        return ordering.order_queryset(
            queryset, kwargs["pagination_info"], base_fields=base_fields
        )

    list_clinic_redirects.clinic_scoped = True
    operation.view_func = list_clinic_redirects


def v3_endpoint_model(request):
    """The model a v3 operation filters, from its URL name (``list_pages``,
    ``detail_image`` ...), for parsing its field filters."""
    from wagtail.contrib.redirects.models import Redirect

    match = request.resolver_match
    noun = (match.url_name or "").rsplit("_", 1)[-1] if match else ""
    models = {
        "pages": Page,
        "page": Page,
        "images": get_image_model(),
        "image": get_image_model(),
        "documents": get_document_model(),
        "document": get_document_model(),
        "redirects": Redirect,
        "redirect": Redirect,
    }
    model = models.get(noun)
    if model is Page and len(request.GET.getlist("type")) == 1:
        from wagtail.coreutils import resolve_model_string

        try:
            return resolve_model_string(request.GET["type"])
        except (LookupError, ValueError):
            return model
    return model


def v3_in_clinic_checks():
    """URL parameter name -> check(request, value): is it the clinic's?"""
    from wagtail.contrib.redirects.models import Redirect

    def of_clinic(model):
        def check(request, value):
            return boundary.object_in_clinic(model, value, boundary.api_site(request))

        return check

    def redirect(request, value):
        found = Redirect.objects.filter(pk=value)
        return boundary.readable_redirects(request, found).exists()

    return {
        "page_id": of_clinic(Page),
        "image_id": of_clinic(get_image_model()),
        "document_id": of_clinic(get_document_model()),
        "redirect_id": redirect,
    }


@cache
def v3_document():
    """The published v3 OpenAPI document, as JSON data, built once."""
    from wagtail.api.v3.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
WRITE_METHODS = {"POST", "PUT", "PATCH"}


def v3_operation(request):
    """The OpenAPI operation this v3 request is for, or {}."""
    match = request.resolver_match
    template = "/" + ROUTE_PARAMETER.sub(r"{\1}", match.route)
    operations = v3_document()["paths"].get(template, {})
    return operations.get(request.method.lower(), {})


def check_path_parameters(request, kwargs):
    """Path parameters the document declares as integers are whole numbers
    (Wagtail reads some, such as a page's type on PATCH, before validating)."""
    for parameter in v3_operation(request).get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path" and name in kwargs:
            schema = parameter.get("schema", {})
            if schema.get("type") == "integer":
                api_input.whole_number(1)(name, str(kwargs[name]))


def unknown_write_fields(request, kwargs):
    """Fields of a v3 write body that the operation does not accept (Wagtail's
    write schemas ignore them, so a misspelt field would be silently lost)."""
    if (
        request.method not in WRITE_METHODS
        or request.content_type != "application/json"
    ):
        return []
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return []  # Ninja answers malformed JSON itself
    document = v3_document()
    operation = v3_operation(request)
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return []
    page_type = None
    if "page_id" in kwargs and _is_id(kwargs["page_id"]):
        page = Page.objects.filter(pk=kwargs["page_id"]).first()
        page_type = (
            page.specific_class._meta.label if page and page.specific_class else None
        )
    return api_input.unknown_body_fields(
        schema, body, document["components"]["schemas"], page_type
    )


# Shared by both versions

PAGES_ENDPOINTS = re.compile(r"^/api/v[23]/pages/")


def public_pages_validators(request):
    """Validators known before the view runs (``clinics.revalidation``), for
    an anonymous read of the pages endpoints; None elsewhere.

    Not for searches (the search index may be updated after the publish that
    announced the change) nor random order: those keep an ETag of their
    content."""
    if not revalidation.anonymous(request) or not PAGES_ENDPOINTS.match(request.path):
        return None
    if "search" in request.GET or request.GET.get("order") == "random":
        return None
    return revalidation.for_clinic(request, boundary.api_site(request))


def public_headers(response, validators):
    validators.apply(response, max_age=settings.API_CACHE_MAX_AGE)
    patch_vary_headers(response, ["Authorization"])
    return response


def headless_view(view):
    """Input parsing, JSON errors and HTTP caching for every API view.

    Anonymous GETs are public and cached briefly; a token's responses (which
    may show drafts) are private. Every successful GET carries an ETag, so
    publishing a change changes it, and a matching If-None-Match gets a 304:
    on the pages endpoints before the view runs (validators from the clinic's
    content generation), elsewhere from a hash of the content.
    """
    checks = None

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        nonlocal checks
        validators = None
        try:
            if request.path.startswith(V3_PATH_PREFIX):
                api_input.check_query(request, v3_endpoint_model(request))
                check_path_parameters(request, kwargs)
                if checks is None:
                    checks = v3_in_clinic_checks()
                for name, value in kwargs.items():
                    check = checks.get(name)
                    # A value that is not an id is Ninja's to refuse (422).
                    if check and _is_id(value) and not check(request, int(value)):
                        raise Http404("No such object in this clinic.")
                unknown = unknown_write_fields(request, kwargs)
                if unknown:
                    return unknown_fields_response(unknown)
            else:
                api_input.check_query(request, v2_endpoint_model(view, request))
            validators = public_pages_validators(request)
            # For the parts of a detail kept by version (revalidation.fragment_key).
            request._clinic_validators = validators
            if validators is not None:
                unchanged = validators.not_modified(request)
                if unchanged is not None:
                    return public_headers(unchanged, validators)
            response = view(request, *args, **kwargs)
        except BadRequest as error:
            return error_response(request, HTTPStatus.BAD_REQUEST, str(error))
        except (BadRequestError, HttpError) as error:
            status = getattr(error, "status_code", HTTPStatus.BAD_REQUEST)
            return error_response(request, status, str(error))
        except Http404 as error:
            return error_response(
                request, HTTPStatus.NOT_FOUND, str(error) or "Not found."
            )
        except PermissionDenied as error:
            return error_response(
                request, HTTPStatus.FORBIDDEN, str(error) or "Permission denied."
            )
        if request.method not in ("GET", "HEAD"):
            return response
        if callable(getattr(response, "render", None)) and not getattr(
            response, "is_rendered", True
        ):
            response = response.render()
        patch_vary_headers(response, ["Authorization"])
        if response.status_code != 200:
            return response
        if "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True, no_cache=True)
        elif validators is not None:
            return public_headers(response, validators)
        else:
            patch_cache_control(
                response, public=True, max_age=settings.API_CACHE_MAX_AGE
            )
        if not response.has_header("ETag"):
            set_response_etag(response)
        return get_conditional_response(
            request, etag=response["ETag"], response=response
        )

    return wrapped


def unknown_fields_response(names):
    return problem_response(
        status=HTTPStatus.UNPROCESSABLE_ENTITY,
        detail="Validation failed",
        errors=[
            {
                "type": "extra_forbidden",
                "loc": ["body", "data", *name.split(".")],
                "msg": f"Unknown field {name!r}: this operation does not accept it.",
            }
            for name in names
        ],
    )


def _is_id(value):
    return isinstance(value, int) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    )


def openapi_schema(library_schema):
    """Wagtail's v3 document, made valid OpenAPI.

    Wagtail publishes its ``AllowAnonymous`` fallback as an ``http`` security
    scheme without a ``scheme``, which is invalid and breaks client
    generators. OpenAPI's way to say "a token is optional" is an empty
    security requirement, so use that instead.
    """

    def schema(**kwargs):
        document = library_schema(**kwargs)
        schemes = document.get("components", {}).get("securitySchemes", {})
        schemes.pop("AllowAnonymous", None)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                security = operation.get("security")
                if security:
                    operation["security"] = [
                        {} if "AllowAnonymous" in requirement else requirement
                        for requirement in security
                    ]
        return document

    return schema
