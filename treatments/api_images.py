"""Images in API responses: rendition URLs with sizes and alt text, not ids.

Both APIs (v2 and v3) and every place an image appears (the hero image, image
blocks, a clinic's logo) use ``image_representation``, so a front-end sees one
image shape everywhere.
"""

from django.db.models import ForeignKey, Prefetch
from pydantic import BaseModel, Field
from wagtail.api import APIField
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError

# A few sizes a front-end can put in a srcset; ``max-`` keeps the aspect ratio
# and never enlarges, so small originals are served as they are.
RENDITION_SPECS = {
    "small": "max-480x480",
    "medium": "max-1024x1024",
    "large": "max-1920x1920",
}
API_RENDITION_SPECS = tuple(RENDITION_SPECS.values())


class ApiImageRendition(BaseModel):
    url: str = Field(description="Absolute URL of the resized image file.")
    width: int
    height: int


class ApiImageRenditions(BaseModel):
    small: ApiImageRendition
    medium: ApiImageRendition
    large: ApiImageRendition


class ApiImage(BaseModel):
    id: int
    title: str
    alt: str = Field(description="Alternative text for the image.")
    width: int = Field(description="Width of the original image.")
    height: int = Field(description="Height of the original image.")
    renditions: ApiImageRenditions


def absolute_url(url, request):
    if request is not None and url.startswith("/"):
        return request.build_absolute_uri(url)
    return url


def image_representation(image, request, alt=None):
    """An image as rendition URLs, or None when there is none (or its file is
    missing: one broken image must not fail the whole response)."""
    if image is None:
        return None
    try:
        renditions = image.get_renditions(*RENDITION_SPECS.values())
    except SourceImageIOError:
        return None
    return {
        "id": image.pk,
        "title": image.title,
        "alt": alt if alt is not None else image.default_alt_text or "",
        "width": image.width,
        "height": image.height,
        "renditions": {
            size: {
                "url": absolute_url(renditions[spec].url, request),
                "width": renditions[spec].width,
                "height": renditions[spec].height,
            }
            for size, spec in RENDITION_SPECS.items()
        },
    }


def renditions_prefetch(lookup, specs=API_RENDITION_SPECS):
    """Prefetch the renditions (the API's, or with ``specs=None`` all) of the
    images at ``lookup`` in one query."""
    renditions = get_image_model().get_rendition_model().objects.all()
    if specs is not None:
        renditions = renditions.filter(filter_spec__in=list(specs))
    # Where Image.get_renditions() looks for prefetched renditions.
    return Prefetch(lookup, queryset=renditions, to_attr="prefetched_renditions")


def prefetch_api_images(images, specs=API_RENDITION_SPECS):
    """Load the renditions of a list of images with one query (the API's, or
    with ``specs=None`` every one: a template's sizes are in the template).

    Without it Wagtail looks each image up in the shared cache: one round
    trip per image, so a page's Redis commands would grow with its images.
    """
    from django.db.models import prefetch_related_objects

    images = list(
        {
            id(image): image
            for image in images
            if image is not None and not hasattr(image, "prefetched_renditions")
        }.values()
    )
    if images:
        prefetch_related_objects(images, renditions_prefetch("renditions", specs))


def image_api_fields(model):
    """Names of the model's ``api_fields`` that are foreign keys to images."""
    image_model = get_image_model()
    names = []
    for api_field in APIField.get_fields_for_model(model, db_fields_only=True):
        field = model._meta.get_field(api_field.name)
        if isinstance(field, ForeignKey) and issubclass(
            field.related_model, image_model
        ):
            names.append(api_field.name)
    return names


def with_api_images(queryset):
    """A page queryset that loads its API images and their renditions up front,
    so a listing costs the same number of queries for 1 page or 50."""
    names = image_api_fields(queryset.model)
    if not names:
        return queryset
    return queryset.select_related(*names).prefetch_related(
        *(renditions_prefetch(f"{name}__renditions") for name in names)
    )
