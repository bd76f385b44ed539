"""How treatment pages appear in the headless API (v2 and v3).

The treatment body is a typed stream (see api_blocks.py); the call-to-action
block gains its resolved ``link`` and the image block's alt text is used for
its image. Hero images come out as renditions (see api_images.py).

Imported at start-up by ``treatments.api_app`` so that the field-schema hooks
below are registered with Wagtail's v3 schema generators before Wagtail builds
its v3 API; registering later would leave the body untyped.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404
from pydantic import Field
from rest_framework.fields import Field as SerializerField
from wagtail.api.rich_text import APIRichText, RichTextFormatError
from wagtail.api.v2.serializers import PageParentField, PageSerializer
from wagtail.api.v2.serializers import StreamField as StreamFieldSerializer
from wagtail.api.v3.schemas.generators import read as v3_read
from wagtail.api.v3.schemas.generators import write as v3_write
from wagtail.fields import StreamField
from wagtail.images import get_image_model

from clinics import boundary, revalidation
from clinics.api import ClinicPagesAPIViewSet
from clinics.identity import booking_url

from .api_blocks import StructExtra, prefetch_streams, typed_streams
from .api_images import (
    ApiImage,
    absolute_url,
    image_api_fields,
    image_representation,
)
from .blocks import CallToActionBlock, ImageBlock, TreatmentStreamBlock
from .structured_data import JSON_LD_FRAGMENT


def fill_call_to_action(block, value, data, context):
    request = context.request
    link = block.get_link(value, request=request, default_url=booking_url(request))
    data["link"] = absolute_url(link, request) if link else ""


def fill_image_alt(block, value, data, context):
    # The editor writes alt text for this use of the image; it beats the
    # image's own default.
    if data.get("image") is not None:
        data["image"]["alt"] = value.get("alt_text") or data["image"]["alt"]


typed_streams.schemas.add_struct_extra(
    CallToActionBlock,
    StructExtra(
        fields={
            "link": (
                str,
                Field(
                    ...,
                    description="Absolute URL the button leads to: the chosen "
                    "page, the address, or else the clinic's booking URL.",
                ),
            )
        },
        fill=fill_call_to_action,
    ),
)
typed_streams.schemas.add_struct_extra(
    ImageBlock, StructExtra(fields={}, fill=fill_image_alt)
)
typed_streams.register(TreatmentStreamBlock())


# Wagtail v3: typed StreamFields and image renditions through the schema
# generators' own per-field-class hooks; anything we do not type falls back to
# Wagtail's handler.


def read_stream_field(generator, field):
    typed = typed_streams.for_block(field.stream_block)
    if typed is None:
        return v3_read.streamfield_schema(generator, field)
    name = field.name

    def resolve(obj, context):
        return stream_json(obj, name, typed, context.get("request"))

    return typed.read_annotation, [], staticmethod(resolve)


def read_foreign_key(generator, field):
    if not issubclass(field.related_model, get_image_model()):
        return v3_read.foreign_key_schema(generator, field)
    name = field.name

    def resolve(obj, context):
        return image_representation(getattr(obj, name), context.get("request"))

    return ApiImage | None, None, staticmethod(resolve)


def write_stream_field(generator, field):
    typed = typed_streams.for_block(field.stream_block)
    if typed is None:
        return v3_write.streamfield_schema(generator, field)
    if field.blank:
        return typed.write_annotation, Field([])
    return typed.write_annotation, Field(..., min_length=1)


v3_read.read_generator.register_field_schema(StreamField, read_stream_field)
v3_read.read_generator.register_field_schema(v3_read.ForeignKey, read_foreign_key)
v3_write.create_generator.register_field_schema(StreamField, write_stream_field)
v3_write.patch_generator.register_field_schema(StreamField, write_stream_field)


# Wagtail v2: the same JSON through its serializer fields.


class TypedStreamFieldSerializer(StreamFieldSerializer):
    def get_attribute(self, instance):
        # The page, not its stream: a detail's JSON is kept per page.
        return instance

    def to_representation(self, page):
        value = getattr(page, self.source)
        typed = typed_streams.for_block(value.stream_block)
        if typed is None:
            return super().to_representation(value)
        return stream_json(page, self.source, typed, self.context.get("request"))


def stream_fragment(name, request):
    """The name a StreamField's JSON is kept under in a detail: one per
    rich-text format. None for a format that is none (Wagtail answers 400)."""
    raw_format = request.GET.get("rich_text_format") if request else None
    try:
        return f"api-{name}:{APIRichText.resolve_format(raw_format)}"
    except RichTextFormatError:
        return None


def stream_json(page, name, typed, request):
    """A typed StreamField's JSON (v2 and v3 alike). In an anonymous detail,
    kept by version of what the answer shows (clinics.revalidation's
    fragments, as a rendered body is), so a publish never has to find it."""
    fragment = stream_fragment(name, request)

    def convert():
        return typed.serialize(getattr(page, name), request)

    if fragment is None:
        return convert()
    return revalidation.cached_fragment(request, page, fragment, convert)


class ImageRenditionsSerializer(SerializerField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, image):
        return image_representation(image, self.context.get("request"))


class ClinicPageParentField(PageParentField):
    """Wagtail's ``parent``, shown when the parent is in the endpoint's base
    queryset (the clinic's public pages), decided from the boundary's cached
    lists instead of a query."""

    def get_attribute(self, instance):
        parent = instance.get_parent()
        if parent is not None and boundary.publicly_readable(
            self.context["request"], parent
        ):
            return parent
        return None


class TypedPageSerializer(PageSerializer):
    """Wagtail's page serializer with typed StreamFields and image renditions,
    the same JSON as v3."""

    parent = ClinicPageParentField(read_only=True)

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


def specific_for_api(queryset, pk, request):
    """Page ``pk`` of ``queryset`` (the boundary's) as the API shows it, in
    its own type: its API images joined, its body converted and every
    rendition it shows fetched in one query, and its parent, when that is a
    clinic's home page or section, from the cached Sites (v2 and v3 details;
    listings do the same in bulk). Wagtail fetches the whole base page and
    then the specific one; the base page's type is all this needs of it."""
    # (No ORDER BY: one row by primary key needs none, and building it costs
    # as much as the rest of the query.)
    found = queryset.filter(pk=pk).order_by().values_list("content_type_id")[:1]
    if not found:
        raise Http404("No page matches the given query.")
    model = ContentType.objects.get_for_id(found[0][0]).model_class()
    page = None
    if model is not None:
        specific = model.objects.select_related("locale", *image_api_fields(model))
        page = next(iter(specific.filter(pk=pk).order_by()[:1]), None)
    # Its type's model is gone (an uninstalled app): the generic page, as
    # Wagtail does; gone since the first query: a 404.
    page = page or get_object_or_404(queryset, pk=pk)
    parent = boundary.cached_parent(page)
    if parent is not None:
        # Where treebeard's ``get_parent`` keeps what it fetched.
        page._cached_parent_obj = parent
    revalidation.mark_api_detail(request, page)
    # Wagtail's v3 binds an APIField's serializer with no request; its JSON-LD
    # finds the request here (structured_data.StructuredDataField).
    page._clinic_api_request = request
    streams = {
        field.attname: stream_fragment(field.attname, request)
        for field in page._meta.concrete_fields
        if isinstance(field, StreamField)
        and typed_streams.for_block(field.stream_block)
    }
    kept = revalidation.prefetch_fragments(
        request, page, [*filter(None, streams.values()), JSON_LD_FRAGMENT]
    )
    # A stream whose JSON is kept need not be converted (nor its images and
    # links fetched): most of a detail's cost.
    prefetch_streams(
        [page], skip={name for name, fragment in streams.items() if fragment in kept}
    )
    return page


def speed_v3_detail():
    """Wagtail's v3 page detail returns ``page.specific``, which joins
    nothing; give its Ninja operation the same view returning
    ``specific_for_api`` for the live page (drafts as Wagtail does)."""
    from functools import wraps

    from wagtail.api.v3.routers import pages as pages_router

    operation = pages_router.get_page._ninja_operation
    wagtail_view = operation.view_func
    if getattr(wagtail_view, "clinic_specific", False):
        return

    @wraps(wagtail_view)
    def get_page(request, page_id, version="live", rich_text_format=None):
        if version == "draft" and request.user.is_authenticated:
            return wagtail_view(
                request,
                page_id=page_id,
                version=version,
                rich_text_format=rich_text_format,
            )
        return specific_for_api(
            pages_router.get_pages_queryset(request), page_id, request
        )

    get_page.clinic_specific = True
    operation.view_func = get_page


class TypedPagesAPIViewSet(ClinicPagesAPIViewSet):
    """The v2 pages endpoint: the clinic's pages with typed bodies, in a
    fixed number of queries however many pages are listed."""

    base_serializer_class = TypedPageSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        # API images are joined here; their renditions are fetched with the
        # body's images, in one query (prefetch_streams).
        return queryset.select_related("locale", *image_api_fields(queryset.model))

    def get_object(self):
        # Wagtail fetches the base page, then ``.specific`` in a second query
        # that joins nothing: the hero image and each of the body's chooser
        # types and renditions would follow one query each. Fetch the
        # specific page with its API images joined, then convert its body
        # and fetch every rendition it shows at once, as a listing does.
        if not hasattr(self, "_cached_object"):
            # As DRF's GenericAPIView.get_object, with the specific page.
            queryset = self.filter_queryset(self.get_queryset())
            page = specific_for_api(
                queryset, self.kwargs[self.lookup_field], self.request
            )
            self.check_object_permissions(self.request, page)
            self._cached_object = page
        return self._cached_object

    def paginate_queryset(self, queryset):
        # One query per chooser type for the whole page of results, not per
        # page listed (see prefetch_streams); none when the listing does not
        # show a body (the default fields, a search's titles).
        pages = super().paginate_queryset(queryset)
        if self.lists_bodies_or_images(queryset.model):
            prefetch_streams(pages)
        return pages

    def lists_bodies_or_images(self, model):
        """Whether ``?fields=`` asks for a StreamField or an image of
        ``model`` (or for all fields). Listings show only title and meta by
        default."""
        from wagtail.api.v2.utils import (
            BadRequestError,
            FieldsParameterParseError,
            parse_fields_parameter,
        )

        names = {
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, StreamField)
        } | set(image_api_fields(model))
        try:
            fields = parse_fields_parameter(self.request.GET.get("fields", ""))
        except (BadRequestError, FieldsParameterParseError):
            return False  # Wagtail answers the 400 when it reads them
        return any(
            not negated and (name == "*" or name in names)
            for name, negated, _children in fields
        )


def check_typed_body():
    """Fail loudly if the v3 schema was built before this module registered
    its typed StreamField hooks (the body would silently be an untyped list)."""
    from wagtail.api.v3.registry import registry

    from .models import TreatmentPage

    schema = registry.get(TreatmentPage._meta.label).read_schema
    typed = typed_streams.for_block(TreatmentPage._meta.get_field("body").stream_block)
    if schema.model_fields["body"].annotation != typed.read_annotation:
        raise RuntimeError(
            "The v3 API was built before treatments.api was imported; the "
            "treatment body would be untyped."
        )
