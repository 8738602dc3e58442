"""Pieces of catalogue pages: covers, cards, artist credits, pagination, highlighting, JSON-LD."""

import json

from django import template
from django.utils.html import format_html

from catalogue import cards, images, paging, search
from catalogue.durations import format_duration
from catalogue.escaping import markup, script_json
from catalogue.release_parts import (
    artist_credit_html,
    credits_html,
    pressing_info_html,
    tracklist_html,
)

register = template.Library()


@register.simple_tag
def artist_credit(track):
    """A track's artists as printed, each name linked: "College feat. Electric Youth"."""
    return markup(artist_credit_html(track))  # escaped there


@register.simple_tag
def pressing_info(pressing):
    """A pressing's details on the release page (catalogue/release_parts.py)."""
    return pressing_info_html(pressing)


@register.simple_tag
def credits_list(credits_by_role):
    """The release page's credits, by role (catalogue/release_parts.py)."""
    return credits_html(credits_by_role)


@register.simple_tag
def tracklist(sides, total_duration):
    """The release page's track list (catalogue/release_parts.py)."""
    return tracklist_html(sides, total_duration)


@register.simple_tag
def cover_image(release, size="card", lazy=True, film=None):
    """The cover in the widths the page needs, or a designed placeholder sleeve without one."""
    return cards.cover_html(release, size, lazy, film)


@register.inclusion_tag("catalogue/includes/picture.html")
def picture(field_file, alt, size="thumb", lazy=True):
    """Any uploaded image (pressing photo, artist portrait) in the widths of ``size``."""
    return images.picture_context(field_file, alt, size, lazy)


@register.simple_tag
def release_card(release, lazy=True, terms=None):
    """A release in a grid: cover, title, film, composer and its badges (see catalogue.cards)."""
    return cards.card_html(release, lazy=lazy, terms=terms)


@register.simple_tag
def release_cards(releases, eager=0, terms=None):
    """Each release as a card in an <li>, for a grid's <ul>; the first ``eager`` load their
    covers at once (the top of a page), the rest lazily.

    One tag for the whole grid: a {% for %} around {% release_card %} cost as much again as
    composing the cards (see catalogue.cards)."""
    return markup(  # cards are composed of escaped values
        "".join(
            f"<li>{cards.card_html(release, lazy=n >= eager, terms=terms)}</li>"
            for n, release in enumerate(releases)
        )
    )


@register.simple_tag
def pagination(page_obj, page_query=""):
    """Previous/next and nearby page links, keeping the filters in the address."""
    return paging.pagination_html(page_obj, page_query)


@register.simple_tag
def highlight(text, terms):
    return search.highlight(text, terms or [])


@register.simple_tag
def snippet(text, terms):
    return search.snippet(text, terms or [])


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """A JSON-LD block; escaped so no value can close the <script> element."""
    payload = script_json(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return format_html(
        '<script type="application/ld+json" nonce="{}">{}</script>',
        context.get("csp_nonce", ""),
        markup(payload),  # JSON with <, > and & escaped above
    )


@register.filter
def duration(seconds):
    """Seconds as m:ss, or h:mm:ss for an album's total."""
    return format_duration(int(seconds)) if seconds else ""
