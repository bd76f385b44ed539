"""Typed API schemas and JSON output for StreamField blocks.

Wagtail's v3 API types a StreamField as an untyped array and the v2 API gives
images and pages as bare ids. Here both the read and the write schema of a
stream are derived from its block definitions (so the OpenAPI schema cannot
drift from ``blocks.py``): every StructBlock becomes its own component, and a
stream is a list discriminated on ``type``. ``TypedStream.serialize`` builds
the matching JSON, which both API versions return unchanged.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

from django.core.exceptions import ImproperlyConfigured, ValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    TypeAdapter,
    create_model,
)
from pydantic_core import PydanticCustomError
from wagtail import blocks
from wagtail.api.rich_text import APIRichText
from wagtail.images.blocks import ImageChooserBlock
from wagtail.images.models import AbstractImage

from .api_images import (
    ApiImage,
    absolute_url,
    image_representation,
    prefetch_api_images,
)
from .links import prefetch_links


class ApiPageLink(BaseModel):
    id: int
    title: str
    url: str = Field(description="Absolute URL of the page on its own clinic site.")


TEXT_BLOCKS = (blocks.CharBlock, blocks.TextBlock, blocks.URLBlock, blocks.EmailBlock)


def block_description(block):
    meta = block.meta
    return str(getattr(meta, "description", "") or getattr(meta, "label", "") or "")


def camel(name):
    return "".join(part.capitalize() for part in name.split("_"))


@dataclass
class StructExtra:
    """Computed output for one StructBlock class: extra read-only fields and a
    function ``(block, value, data, context)`` that fills them in."""

    fields: dict[str, tuple[Any, Any]]
    fill: Any


@dataclass
class SerializeContext:
    request: Any
    rich_text_format: str
    extra: dict = field(default_factory=dict)


class BlockSchemas:
    """Builds pydantic models for block definitions, one per StructBlock class
    and direction, named after the class (``MechanismBlock`` to read,
    ``MechanismBlockInput`` to write)."""

    def __init__(self):
        self.struct_extras: dict[type, StructExtra] = {}
        self._read: dict[type, type[BaseModel]] = {}
        self._write: dict[type, type[BaseModel]] = {}

    def add_struct_extra(self, struct_class, extra):
        self.struct_extras[struct_class] = extra

    # Reading

    def read_type(self, block):
        if isinstance(block, blocks.StructBlock):
            return self.read_struct(block)
        if isinstance(block, blocks.ListBlock):
            return list[self.read_type(block.child_block)]
        if isinstance(block, blocks.RichTextBlock):
            return Annotated[
                str, Field(description="Rich text (see rich_text_format).")
            ]
        if isinstance(block, TEXT_BLOCKS):
            return str
        if isinstance(block, blocks.BooleanBlock):
            return bool
        if isinstance(block, blocks.IntegerBlock):
            return int | None
        if isinstance(block, ImageChooserBlock):
            return ApiImage | None
        if isinstance(block, blocks.PageChooserBlock):
            return ApiPageLink | None
        raise ImproperlyConfigured(
            f"No API type for {type(block).__name__}; add one in treatments/api_blocks.py."
        )

    def read_struct(self, block):
        struct_class = type(block)
        if struct_class not in self._read:
            fields = {
                name: (self.read_type(child), ...)
                for name, child in block.child_blocks.items()
            }
            extra = self.struct_extras.get(struct_class)
            if extra is not None:
                fields.update(extra.fields)
            self._read[struct_class] = create_model(
                struct_class.__name__,
                __doc__=block_description(block),
                **fields,
            )
        return self._read[struct_class]

    # Writing

    def write_field(self, block):
        """(annotation, default) of a child block in a write schema."""
        required = getattr(block, "required", True)
        default = block.get_default()
        if isinstance(block, blocks.StructBlock):
            return self.write_struct(block), ...
        if isinstance(block, blocks.ListBlock):
            child, _ = self.write_field(block.child_block)
            constraints = {}
            if block.meta.min_num:
                constraints["min_length"] = block.meta.min_num
            if block.meta.max_num:
                constraints["max_length"] = block.meta.max_num
            return list[child], Field(..., **constraints)
        if isinstance(block, (blocks.RichTextBlock, *TEXT_BLOCKS)):
            max_length = getattr(block.field, "max_length", None)
            text = Annotated[
                str, Field(min_length=1 if required else 0, max_length=max_length)
            ]
            if required and not default:
                return text, ...
            # Optional, or required with a default editors see prefilled.
            return text, str(default or "")
        if isinstance(block, blocks.BooleanBlock):
            return bool, bool(default)
        if isinstance(block, blocks.IntegerBlock):
            bounds = {
                key: value
                for key, value in (
                    ("ge", block.field.min_value),
                    ("le", block.field.max_value),
                )
                if value is not None
            }
            annotation = Annotated[int, Field(**bounds)]
            if required:
                return annotation, ...
            return annotation | None, None
        if isinstance(block, (ImageChooserBlock, blocks.PageChooserBlock)):
            noun = "image" if isinstance(block, ImageChooserBlock) else "page"
            description = f"Id of the {noun}."
            if required:
                return PositiveInt, Field(..., description=description)
            return PositiveInt | None, Field(None, description=description)
        raise ImproperlyConfigured(
            f"No API input type for {type(block).__name__}; add one in "
            "treatments/api_blocks.py."
        )

    def write_struct(self, block):
        struct_class = type(block)
        if struct_class not in self._write:
            fields = {
                name: self.write_field(child)
                for name, child in block.child_blocks.items()
            }
            self._write[struct_class] = create_model(
                f"{struct_class.__name__}Input",
                __config__=ConfigDict(extra="forbid"),
                **fields,
            )
        return self._write[struct_class]

    # Output

    def serialize(self, block, value, context):
        if isinstance(block, blocks.StructBlock):
            data = {
                name: self.serialize(child, value.get(name), context)
                for name, child in block.child_blocks.items()
            }
            extra = self.struct_extras.get(type(block))
            if extra is not None:
                extra.fill(block, value, data, context)
            return data
        if isinstance(block, blocks.ListBlock):
            return [self.serialize(block.child_block, item, context) for item in value]
        if isinstance(block, blocks.RichTextBlock):
            if value is None:
                return ""
            return APIRichText.serialize(
                value.source, format=context.rich_text_format, features=block.features
            )
        if isinstance(block, ImageChooserBlock):
            return image_representation(value, context.request)
        if isinstance(block, blocks.PageChooserBlock):
            if value is None or not value.live:
                return None
            return {
                "id": value.pk,
                "title": value.title,
                "url": absolute_url(
                    value.get_url(request=context.request), context.request
                ),
            }
        if isinstance(block, blocks.BooleanBlock):
            return bool(value)
        if isinstance(block, blocks.IntegerBlock):
            return value
        return "" if value is None else str(value)


def collect_images(block, value, found):
    """Every image in a block value, to fetch their renditions at once."""
    if value is None:
        return
    if isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            collect_images(child, value.get(name), found)
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            collect_images(block.child_block, item, found)
    elif isinstance(block, ImageChooserBlock):
        found.append(value)


def prefetch_streams(objects, skip=()):
    """Convert the StreamFields of many objects at once (but those named in
    ``skip``), then fetch all their images' renditions in one query.

    Wagtail converts each object's stream on first access, so a listing of N
    pages costs one query per page for each chooser type and for renditions.
    StreamBlock.bulk_to_python converts many streams with one query per
    chooser type instead.
    """
    from wagtail.fields import StreamField

    images = []
    by_field = {}
    for obj in objects:
        for model_field in obj._meta.concrete_fields:
            if isinstance(model_field, StreamField):
                name = model_field.attname
                if name in obj.__dict__ and name not in skip:
                    by_field.setdefault(model_field, []).append(obj)
            elif model_field.many_to_one and model_field.is_cached(obj):
                # An image joined with select_related, such as the hero image.
                related = getattr(obj, model_field.name)
                if isinstance(related, AbstractImage):
                    images.append(related)
    for model_field, owners in by_field.items():
        name = model_field.attname
        stream_block = model_field.stream_block
        values = stream_block.bulk_to_python(
            [list(getattr(obj, name).raw_data) for obj in owners]
        )
        for obj, value in zip(owners, values, strict=True):
            value._stream_field = model_field
            obj.__dict__[name] = value
            for child in value:
                collect_images(child.block, child.value, images)
        prefetch_links(stream_block, values)
    prefetch_api_images(images)


def flatten_block_errors(data, path):
    """(path, message) pairs from a block validation error's JSON data."""
    for message in data.get("messages", []):
        yield path, message
    block_errors = data.get("blockErrors") or {}
    if isinstance(block_errors, list):
        block_errors = dict(enumerate(block_errors))
    for key, child in block_errors.items():
        if child:
            yield from flatten_block_errors(child, (*path, key))


class TypedStream:
    """The read and write schema of one StreamBlock, and its JSON output."""

    def __init__(self, stream_block, schemas):
        self.stream_block = stream_block
        self.schemas = schemas
        name = type(stream_block).__name__
        read_items, write_items = [], []
        for key, child in stream_block.child_blocks.items():
            item_name = f"{camel(key)}StreamItem"
            read_items.append(
                create_model(
                    item_name,
                    __doc__=f"A `{key}` block: {block_description(child)}",
                    type=(Literal[key], ...),
                    value=(schemas.read_type(child), ...),
                    id=(str, Field(..., description="Stable id of this block.")),
                )
            )
            write_items.append(
                create_model(
                    f"{item_name}Input",
                    __config__=ConfigDict(extra="forbid"),
                    type=(Literal[key], ...),
                    value=schemas.write_field(child),
                    id=(str | None, None),
                )
            )
        self.read_annotation = list[
            Annotated[Union[tuple(read_items)], Field(discriminator="type")]  # noqa: UP007
        ]
        self.write_annotation = Annotated[
            list[
                Annotated[Union[tuple(write_items)], Field(discriminator="type")]  # noqa: UP007
            ],
            AfterValidator(self.clean_input),
        ]
        self.name = name
        self._adapter = TypeAdapter(self.read_annotation)

    def clean_input(self, items):
        """Run the blocks' own validation (as the editor's form does) so that
        errors only the blocks know, such as a missing image or a button with
        both a page and an address, name the block field at fault."""
        raw = [
            {"type": item.type, "value": item.model_dump()["value"], "id": item.id}
            for item in items
        ]
        try:
            self.stream_block.clean(self.stream_block.to_python(raw))
        except ValidationError as error:
            data = error.as_json_data() if hasattr(error, "as_json_data") else {}
            messages = [
                f"{'.'.join(str(part) for part in path)}: {message}"
                for path, message in flatten_block_errors(data, ())
            ] or error.messages
            raise PydanticCustomError("block_invalid", "; ".join(messages)) from None
        return items

    def serialize(self, stream_value, request):
        raw_format = request.GET.get("rich_text_format") if request else None
        context = SerializeContext(
            request=request, rich_text_format=APIRichText.resolve_format(raw_format)
        )
        images = []
        for child in stream_value:
            collect_images(child.block, child.value, images)
        prefetch_api_images(images)
        prefetch_links(self.stream_block, [stream_value])
        data = [
            {
                "type": child.block_type,
                "value": self.schemas.serialize(child.block, child.value, context),
                "id": child.id or "",
            }
            for child in stream_value
        ]
        # Validated against the published schema on the way out, so both API
        # versions return exactly what the OpenAPI document promises.
        return self._adapter.dump_python(
            self._adapter.validate_python(data), mode="json"
        )


class TypedStreams:
    """The StreamBlock classes the API types precisely, by class."""

    def __init__(self):
        self.schemas = BlockSchemas()
        self._streams: dict[type, TypedStream] = {}

    def register(self, stream_block):
        self._streams[type(stream_block)] = TypedStream(stream_block, self.schemas)

    def for_block(self, stream_block):
        return self._streams.get(type(stream_block))


typed_streams = TypedStreams()
