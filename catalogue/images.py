"""Resized renditions of covers and pressing photos, in the widths pages ask for.

Renditions are written through Django's storage API (``default_storage``), so object storage can
replace the local media folder without touching this code. Each rendition's name is derived from
the original's name, the width and the format, so the same request always finds the same file;
it is made when a row with the image is saved (``renditions_on_save``), or on first use, and its
dimensions are remembered in the cache, so a page full of covers costs no storage round trips
once warm. Renditions carry no EXIF (camera, GPS): Pillow writes only the pixels.
"""

import hashlib
import io
import logging
import posixpath
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_save
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Bump to regenerate every rendition after changing how they are made (quality, resampling).
RENDITION_VERSION = 1
FORMATS = {"webp": ("WEBP", "image/webp", 80), "jpeg": ("JPEG", "image/jpeg", 82)}
CACHE_SECONDS = 60 * 60 * 24 * 30


@dataclass(frozen=True)
class Size:
    """How an image is shown: the widths to offer and the CSS ``sizes`` hint for the browser."""

    widths: tuple[int, ...]
    sizes: str


SIZES = {
    # Release cards in grids: about 10-12rem wide, two columns on a phone.
    "card": Size((240, 480), "(min-width: 48rem) 13rem, 45vw"),
    # The release page's cover: full width on a phone, a column on wider screens.
    "large": Size((480, 800, 1200), "(min-width: 60rem) 30rem, (min-width: 48rem) 45vw, 100vw"),
    # Small photos: pressing shots, artist portraits.
    "thumb": Size((160, 320), "10rem"),
    # Magazine pictures across an article's column (46rem at most), full width on a phone.
    "article": Size((480, 800, 1200, 1600), "(min-width: 48rem) 46rem, 100vw"),
    # A feature's picture on the magazine's grid of features.
    "teaser": Size((480, 800), "(min-width: 48rem) 33vw, 100vw"),
}


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    format: str

    @property
    def url(self):
        return default_storage.url(self.name)


@dataclass(frozen=True)
class ImageSet:
    """Everything an ``<img>``/``<picture>`` needs: the fallback, both srcsets, the intrinsic size."""

    src: str
    width: int
    height: int
    srcset: str
    webp_srcset: str
    sizes: str


def rendition_name(original_name, width, fmt):
    """The deterministic storage name of one rendition of an original."""
    digest = hashlib.sha256(
        f"{original_name}|{width}|{fmt}|{RENDITION_VERSION}".encode()
    ).hexdigest()
    directory, filename = posixpath.split(original_name)
    stem = posixpath.splitext(filename)[0][:60]
    extension = "jpg" if fmt == "jpeg" else fmt
    return posixpath.join("renditions", directory, f"{stem}-{width}w-{digest[:10]}.{extension}")


def _cache_key(name):
    return "rendition:" + hashlib.sha256(name.encode()).hexdigest()


def _open_original(original_name):
    with default_storage.open(original_name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    # Turn the pixels upright as the camera meant them, since the EXIF saying so is dropped.
    return ImageOps.exif_transpose(image)


def _flatten(image):
    """RGB pixels on the site's background colour, for formats without (or not needing) alpha."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (13, 11, 20))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _render(original, width, fmt):
    pil_format, _, quality = FORMATS[fmt]
    image = _flatten(original)
    if image.width > width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No exif=, no icc_profile=: the rendition carries pixels only.
    image.save(buffer, pil_format, quality=quality, optimize=True)
    return buffer.getvalue(), image.size


def get_rendition(original_name, width, fmt="jpeg", *, _original=None):
    """The rendition of ``original_name`` at most ``width`` pixels wide, made if missing."""
    name = rendition_name(original_name, width, fmt)
    known = cache.get(_cache_key(name))
    if known:
        return Rendition(name, known[0], known[1], fmt)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle, Image.open(handle) as existing:
            size = existing.size
    else:
        original = _original or _open_original(original_name)
        data, size = _render(original, width, fmt)
        # Two first visitors may race to create the same rendition; either copy is identical,
        # and the storage keeps whichever it saved under the deterministic name.
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            default_storage.delete(saved)
    cache.set(_cache_key(name), size, CACHE_SECONDS)
    return Rendition(name, size[0], size[1], fmt)


def _widths_for(original_name, size):
    """The widths to offer, never wider than the original (no upscaling)."""
    key = _cache_key("original-width:" + original_name)
    original_width = cache.get(key)
    original = None
    if original_width is None:
        original = _open_original(original_name)
        original_width = original.width
        cache.set(key, original_width, CACHE_SECONDS)
    widths = sorted({min(w, original_width) for w in SIZES[size].widths})
    return widths, original


def image_set(field_file, size="card"):
    """An ImageSet for an ImageField's file, or None when there is no usable image."""
    if not field_file or not field_file.name:
        return None
    try:
        widths, original = _widths_for(field_file.name, size)
        jpegs = [get_rendition(field_file.name, w, "jpeg", _original=original) for w in widths]
        webps = [get_rendition(field_file.name, w, "webp", _original=original) for w in widths]
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        # A missing or damaged original shows the designed placeholder, never an error page.
        logger.warning("Cannot make renditions of %s", field_file.name, exc_info=True)
        return None
    fallback = jpegs[0] if size == "card" else jpegs[min(1, len(jpegs) - 1)]
    return ImageSet(
        src=fallback.url,
        width=fallback.width,
        height=fallback.height,
        srcset=", ".join(f"{r.url} {r.width}w" for r in jpegs),
        webp_srcset=", ".join(f"{r.url} {r.width}w" for r in webps),
        sizes=SIZES[size].sizes,
    )


def picture_context(field_file, alt, size="thumb", lazy=True):
    """The context of catalogue/includes/picture.html: any uploaded image in the widths of size."""
    return {"image": image_set(field_file, size), "alt": alt, "lazy": lazy, "size": size}


def ensure_renditions(field_file, sizes=("card", "large")):
    """Make every rendition pages will ask for now, e.g. right after an upload."""
    for size in sizes:
        image_set(field_file, size)


def renditions_on_save(model, field_name, sizes):
    """Make the renditions of ``model``'s image ``field_name`` in ``sizes`` whenever a row is saved
    with an image, once its transaction commits: readers never wait for a resize, not even the
    first of a release-day crowd. Saving a row whose renditions exist costs a few cache reads."""

    def make(sender, instance, **kwargs):
        field_file = getattr(instance, field_name)
        if field_file:
            transaction.on_commit(lambda: ensure_renditions(field_file, sizes))

    post_save.connect(
        make,
        sender=model,
        weak=False,
        dispatch_uid=f"images.renditions:{model._meta.label}.{field_name}",
    )


def placeholder_variant(text):
    """A stable 0-7 for a title, so a release without a cover always gets the same sleeve colour."""
    return int(hashlib.sha256((text or "").encode()).hexdigest(), 16) % 8
