"""Editors' Markdown to reader HTML: catalogue's sanitised Markdown plus track mentions and images.

Mentions become Markdown links before rendering, so they pass through the same allow-list as
everything else. Images are inserted after sanitising, from our own escaped template, because
the allow-list has no <img>: nothing an editor types can produce one.
"""

import re

from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from catalogue.images import picture_context
from catalogue.markdown import render_markdown

MENTION_RE = re.compile(
    r"\[\[(?!image:)(?:track:\s*(?P<position>[^\[\]\n]{1,20})|(?P<title>[^\[\]\n]{1,200}))\]\]"
)
IMAGE_PARAGRAPH_RE = re.compile(r"<p>\[\[image:\s*(\d{1,3})\]\]</p>")
IMAGE_TOKEN_RE = re.compile(r"\[\[image:\s*\d{1,3}\]\]")
# Any ASCII punctuation may be backslash-escaped in CommonMark; escaping all of it makes the
# text literal, whatever it contains.
MARKDOWN_PUNCTUATION_RE = re.compile(r"([!-/:-@\[-`{-~])")
QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def escape_markdown(text):
    return MARKDOWN_PUNCTUATION_RE.sub(r"\\\1", text)


def normalise_title(title):
    return " ".join(title.translate(QUOTES).casefold().split())


def link_track_mentions(text, tracks):
    """Replace [[track:B2]] and [[Track title]] with Markdown links; unknown ones with plain text."""
    by_position, by_title = {}, {}
    for track in tracks:
        by_position.setdefault(track.position.upper(), track)
        by_title.setdefault(normalise_title(track.title), track)

    def replace(match):
        if match["position"] is not None:
            track = by_position.get(match["position"].strip().upper())
            label = track.title if track else match["position"].strip()
        else:
            label = match["title"].strip()
            track = by_title.get(normalise_title(label))
        if track is None:
            return escape_markdown(label)
        return f"[{escape_markdown(label)}](<{track.get_absolute_url()}>)"

    return MENTION_RE.sub(replace, text or "")


def figure_html(image):
    credit = ""
    if image.credit and image.credit_url:
        credit = format_html(
            '<span class="figure__credit">Image: <a href="{}" rel="noopener nofollow">{}</a></span>',
            image.credit_url,
            image.credit,
        )
    elif image.credit:
        credit = format_html('<span class="figure__credit">Image: {}</span>', image.credit)
    caption = ""
    if image.caption or credit:
        caption = format_html("<figcaption>{} {}</figcaption>", image.caption, credit)
    picture = render_to_string(
        "catalogue/includes/picture.html", picture_context(image.image, image.alt, "article")
    )
    return format_html('<figure class="figure">{}{}</figure>', mark_safe(picture), caption)  # noqa: S308 (the template escapes)


def place_images(html, images):
    """Put [[image:N]] paragraphs in place; images not placed follow the text in order."""
    placed = set()

    def replace(match):
        index = int(match[1]) - 1
        if 0 <= index < len(images):
            placed.add(index)
            return figure_html(images[index])
        return ""

    html = IMAGE_TOKEN_RE.sub("", IMAGE_PARAGRAPH_RE.sub(replace, html))
    rest = [image for index, image in enumerate(images) if index not in placed]
    return html + format_html_join("", "{}", ((figure_html(image),) for image in rest))


def render_body(text, *, tracks=(), images=()):
    """Markdown source to safe HTML, with track mentions linked and inline images placed."""
    html = render_markdown(link_track_mentions(text, tracks))
    return mark_safe(place_images(str(html), list(images)))  # noqa: S308 (sanitised, then escaped figures)
