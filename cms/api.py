"""Headless API wiring: Wagtail's v2 router and v3 (Django Ninja) API, mounted
at /api/v2/ and /api/v3/ by cms/urls.py.

What a treatment looks like in the API lives in treatments/api.py (typed
blocks, renditions) and the clinic's identity in home/api.py. Here: the
endpoints, site scoping where Wagtail misses it, and HTTP caching and input
guards shared by both versions.
"""

import re
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import include, path
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from ninja.errors import HttpError
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.api import api as v3_api
from wagtail.api.v3.routers import pages as v3_pages_router
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Collection, CollectionViewRestriction, Page
from wagtail.utils.urlpatterns import decorate_urlpatterns

from cms.page_access import editable_pages, readable_pages
from home.api import request_site
from home.api import router as clinic_router
from treatments.api import ImageRenditionsSerializer, TypedStreamFieldSerializer
from treatments.api_blocks import prefetch_streams, typed_streams
from treatments.api_images import image_api_fields
from treatments.models import TreatmentPage

# v2


class ClinicPageSerializer(PageSerializer):
    """Wagtail's page serializer with typed StreamFields and image renditions,
    the same JSON as v3 (see treatments/api.py)."""

    serializer_field_mapping = {
        **PageSerializer.serializer_field_mapping,
        StreamField: TypedStreamFieldSerializer,
    }

    def build_relational_field(self, field_name, relation_info):
        if not relation_info.to_many and issubclass(
            relation_info.related_model, get_image_model()
        ):
            return ImageRenditionsSerializer, {}
        return super().build_relational_field(field_name, relation_info)


class ClinicPagesAPIViewSet(PagesAPIViewSet):
    base_serializer_class = ClinicPageSerializer

    def get_base_queryset(self):
        # v2 is the public, read-only API: what an anonymous visitor may read,
        # whoever asks (cms/page_access.py). Wagtail asks for it up to three
        # times per request, each time reading the view restrictions again.
        if not hasattr(self, "_base_queryset"):
            try:
                self._base_queryset = readable_pages(self.request, as_anonymous=True)
            except ValueError as error:  # ?site= matches several sites
                raise BadRequestError(str(error)) from error
        return self._base_queryset.all()

    def get_queryset(self):
        queryset = super().get_queryset()
        # API images are joined here; their renditions are fetched with the
        # body's images, in one query (prefetch_streams).
        return queryset.select_related("locale", *image_api_fields(queryset.model))

    def paginate_queryset(self, queryset):
        # One query per chooser type for the whole page of results, not per
        # page listed (see prefetch_streams).
        pages = super().paginate_queryset(queryset)
        prefetch_streams(pages)
        return pages

    def find_object(self, queryset, request):
        # Wagtail v2 routes html_path on the Host's site and ignores ?site=,
        # so a front-end asking for another clinic by ?site= never found a
        # page by path. Route on the requested site instead.
        if "html_path" in request.GET:
            site = request_site(request)
            components = [c for c in request.GET["html_path"].split("/") if c]
            try:
                page, _, _ = site.root_page.specific.route(request, components)
            except Http404:
                return None
            return queryset.filter(id=page.id).first()
        return super().find_object(queryset, request)


def clinic_media(queryset, request):
    """Images or documents of the requested clinic only.

    Wagtail's v2 image and document endpoints list every file of the
    installation, so one clinic's front-end would list the other's files, and
    documents kept in a private collection. Keep what sits in the clinic's own
    collection (``ensure_clinic`` names it after the clinic's Site) or below
    it, and nothing from a collection with a view restriction.
    """
    site = request_site(request)
    collection = Collection.objects.filter(depth=2, name=site.site_name).first()
    if collection is None:
        return queryset.none()
    queryset = queryset.filter(collection__path__startswith=collection.path)
    restricted = CollectionViewRestriction.objects.values_list(
        "collection__path", flat=True
    )
    for restricted_path in restricted:
        queryset = queryset.exclude(collection__path__startswith=restricted_path)
    return queryset


class ClinicImagesAPIViewSet(ImagesAPIViewSet):
    def get_queryset(self):
        return clinic_media(super().get_queryset(), self.request)


class ClinicDocumentsAPIViewSet(DocumentsAPIViewSet):
    def get_queryset(self):
        return clinic_media(super().get_queryset(), self.request)


v2_router = WagtailAPIRouter("wagtailapi")
v2_router.register_endpoint("pages", ClinicPagesAPIViewSet)
v2_router.register_endpoint("images", ClinicImagesAPIViewSet)
v2_router.register_endpoint("documents", ClinicDocumentsAPIViewSet)


# v3: Wagtail's API, plus the clinic's identity.


def clinic_pages_queryset(request, model=Page):
    """Wagtail v3's page queryset, scoped to the requested clinic.

    Wagtail 8.0 gives a token's user every page they may edit on any site,
    and not the site's public pages; we want the requested clinic's readable
    pages, plus that clinic's pages the user may edit (cms/page_access.py).
    The v3 router has no hook for this, so its module-level function is
    replaced; the signature and the error for an ambiguous ?site= are kept.
    """
    try:
        queryset = readable_pages(request, model)
        if request.GET.get("version") == "draft" and request.user.is_authenticated:
            # Wagtail returns the latest draft of any page the caller may
            # read; only someone who may edit the page may see its draft.
            queryset = queryset.filter(pk__in=editable_pages(request.user))
    except ValueError as error:
        raise HttpError(HTTPStatus.BAD_REQUEST, str(error)) from error
    return queryset.select_related("content_type", "locale").order_by("pk")


v3_pages_router.get_pages_queryset = clinic_pages_queryset

v3_api.add_router("/clinic/", clinic_router)

_library_openapi_schema = v3_api.get_openapi_schema


def openapi_schema(**kwargs):
    """Wagtail's v3 document, made valid OpenAPI.

    Wagtail publishes its ``AllowAnonymous`` fallback as an ``http`` security
    scheme without a ``scheme``, which is invalid and breaks client
    generators. OpenAPI's way to say "a token is optional" is an empty
    security requirement, so use that instead.
    """
    document = _library_openapi_schema(**kwargs)
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


v3_api.get_openapi_schema = openapi_schema


def check_typed_body():
    """Fail loudly if the v3 schema was built before treatments.api registered
    its typed StreamField hooks (the body would silently be an untyped list)."""
    from wagtail.api.v3.registry import registry

    schema = registry.get(TreatmentPage._meta.label).read_schema
    typed = typed_streams.for_block(TreatmentPage._meta.get_field("body").stream_block)
    if schema.model_fields["body"].annotation != typed.read_annotation:
        raise RuntimeError(
            "The v3 API was built before treatments.api was imported; the "
            "treatment body would be untyped."
        )


check_typed_body()


# Shared by both versions

# Largest value a database integer column holds (PostgreSQL bigint).
MAX_INTEGER = 2**63 - 1
DIGITS = re.compile(r"[+-]?\d+")
SEARCH_OPERATORS = {"and", "or"}


def malformed_request_message(request):
    """Why a request cannot be answered, or None. Catches input that would
    otherwise reach the database and fail there with a 500."""
    values = [request.path, *(v for _, vs in request.GET.lists() for v in vs)]
    values += list(request.GET.keys())
    for value in values:
        if "\x00" in value:
            return "Requests may not contain NUL characters."
    for value in [*request.path.split("/"), *values[1:]]:
        if DIGITS.fullmatch(value) and abs(int(value)) > MAX_INTEGER:
            return f"The number {value[:30]}… is too large."
    # Wagtail v2 hands any operator to the search backend, which raises.
    operator = request.GET.get("search_operator")
    if operator is not None and operator not in SEARCH_OPERATORS:
        return "search_operator must be 'and' or 'or'."
    return None


def headless_view(view):
    """Input guards and HTTP caching for every API view.

    Anonymous GETs are public and cached briefly; a token's responses (which
    may show drafts) are private. Every successful GET carries an ETag of its
    content, so publishing a change changes it, and a matching If-None-Match
    gets a 304.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        message = malformed_request_message(request)
        if message:
            return JsonResponse({"message": message}, status=400)
        response = view(request, *args, **kwargs)
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


v3_urlpatterns, v3_app_name, v3_namespace = v3_api.urls

urlpatterns = [
    path(
        "api/v2/",
        include(
            (
                decorate_urlpatterns(v2_router.get_urlpatterns(), headless_view),
                "wagtailapi",
            ),
            namespace="wagtailapi",
        ),
    ),
    path(
        "api/v3/",
        include(
            (decorate_urlpatterns(v3_urlpatterns, headless_view), v3_app_name),
            namespace=v3_namespace,
        ),
    ),
]
