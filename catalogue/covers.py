"""Designed stand-in sleeves for releases without a cover: a gradient, a record and the title."""

import colorsys
import hashlib
import io
import textwrap

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

SIZE = 800


def _palette(key):
    """Two colours and an accent, fixed for a given key so a sleeve never changes between loads."""
    digest = hashlib.sha256(key.encode()).digest()
    hue = digest[0] / 255
    shift = 0.08 + digest[1] / 255 * 0.25

    def rgb(h, lightness, saturation):
        return tuple(int(c * 255) for c in colorsys.hls_to_rgb(h % 1, lightness, saturation))

    return (
        rgb(hue, 0.16, 0.55),
        rgb(hue + shift, 0.42, 0.75),
        rgb(hue + 0.5, 0.6, 0.95),
    )


def _font(size):
    return ImageFont.load_default(size=size)


def cover_png(*, title, subtitle="", key=""):
    """PNG bytes of a square sleeve: gradient, a record sliding out, the title set large."""
    top, bottom, accent = _palette(key or title)
    image = Image.new("RGB", (SIZE, SIZE))
    draw = ImageDraw.Draw(image)
    for y in range(SIZE):
        t = y / (SIZE - 1)
        draw.line(
            [(0, y), (SIZE, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )

    # The record, half out of the sleeve's right edge, with grooves and a label.
    cx, cy, radius = int(SIZE * 0.78), int(SIZE * 0.38), int(SIZE * 0.3)
    draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=(12, 12, 14))
    for groove in range(radius - 8, int(radius * 0.38), -9):
        draw.ellipse([cx - groove, cy - groove, cx + groove, cy + groove], outline=(34, 34, 38))
    label = int(radius * 0.34)
    draw.ellipse([cx - label, cy - label, cx + label, cy + label], fill=accent)
    draw.ellipse([cx - 6, cy - 6, cx + 6, cy + 6], fill=(12, 12, 14))

    # A thin frame and the typography, bottom left.
    draw.rectangle([24, 24, SIZE - 25, SIZE - 25], outline=accent, width=3)
    lines = textwrap.wrap(title.upper(), width=18)[:4]
    y = SIZE - 90 - 62 * len(lines)
    for line in lines:
        draw.text((56, y), line, font=_font(54), fill=(250, 248, 245))
        y += 62
    if subtitle:
        draw.text((58, SIZE - 80), subtitle.upper()[:40], font=_font(26), fill=accent)

    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def add_generated_cover(release):
    """Give a release without a cover a generated one, stored through the default storage."""
    if release.cover:
        return False
    film = release.film
    subtitle = " · ".join(
        str(part) for part in [film and film.title, release.original_year] if part
    )
    short_title = release.title.split(" (")[0]
    png = cover_png(title=short_title, subtitle=subtitle, key=release.slug)
    release.cover.save(f"{release.slug}.png", ContentFile(png), save=False)
    if not release.cover_alt:
        release.cover_alt = (
            f"A generated sleeve: “{short_title}” in large capitals beside a black record."
        )
    release.save(update_fields=["cover", "cover_alt"])
    return True
