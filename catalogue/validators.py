"""Checks every uploaded image passes before it is stored."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(file):
    """A real JPEG, PNG, WebP or GIF, within the byte and pixel limits, that decodes fully."""
    if file.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            "This image is %(size)s; the largest we accept is %(limit)s.",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            },
            code="image_too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            # Checked before decoding, so a small file declaring a vast canvas costs nothing.
            width, height = image.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    "This image is %(w)s × %(h)s pixels; the most we accept is %(limit)s megapixels.",
                    params={
                        "w": width,
                        "h": height,
                        "limit": settings.IMAGE_MAX_PIXELS // 1_000_000,
                    },
                    code="image_too_many_pixels",
                )
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Upload a JPEG, PNG, WebP or GIF image.", code="image_format")
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.",
            code="invalid_image",
        ) from exc
    finally:
        file.seek(position)
