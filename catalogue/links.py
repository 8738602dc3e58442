"""Addresses of the pages named by a slug, without a reverse() per link.

reverse() matches the URL patterns each time (about 20 µs); a release page or a grid of cards
asks for dozens of these, and a vote's answer for three. The address around the slug is worked
out once per URL name and script prefix instead.
"""

import functools

from django.urls import get_script_prefix, reverse

SLUG_MARK = "slug-mark"


@functools.lru_cache(maxsize=64)
def _parts(name, script_prefix):
    """The address of the page ``name`` around its slug, as reverse() gives it under this prefix."""
    return tuple(reverse(name, kwargs={"slug": SLUG_MARK}).split(SLUG_MARK))


def slug_url(name, slug):
    """reverse(name, kwargs={"slug": slug}) for a pattern whose one argument is a slug.

    A slug is letters, digits, hyphens and underscores, so it needs no quoting.
    """
    before, after = _parts(name, get_script_prefix())
    return f"{before}{slug}{after}"
