"""Uploaded images are checked whole before they are stored.

Wagtail 8.0 reads an upload's header to check its format and size, then asks
for its frame count, which reads further: a truncated or corrupt file then
raises from Pillow inside form validation (OSError, struct.error), and the
admin and the v3 API answer 500. Here the image form (used by both, through
``WAGTAILIMAGES_IMAGE_FORM_BASE``) decodes the whole file once and turns any
failure into the form error Wagtail uses for a file that is not an image.
"""

import struct
from functools import wraps

from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from wagtail.images.forms import BaseImageForm

DECODING_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)


def decodes_whole(to_python, error_message):
    @wraps(to_python)
    def checked(data):
        try:
            image_file = to_python(data)
        except DECODING_ERRORS:
            raise ValidationError(error_message, code="invalid_image") from None
        if image_file is None or "svg" in (
            getattr(image_file, "content_type", "") or ""
        ):
            return image_file
        try:
            image_file.seek(0)
            with PILImage.open(image_file) as image:
                image.load()
        except DECODING_ERRORS:
            raise ValidationError(error_message, code="invalid_image") from None
        finally:
            image_file.seek(0)
        return image_file

    return checked


class CompleteImageForm(BaseImageForm):
    """Wagtail's image form, refusing an image file that does not decode."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            field.to_python = decodes_whole(
                field.to_python, field.error_messages["invalid_image"]
            )
