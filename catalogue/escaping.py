"""HTML escaping for markup composed in Python (release cards, the filter menus)."""

import html

from django.utils.safestring import SafeData


def escaped(value):
    """conditional_escape() without its lazy-string wrapper, which costs more than the escaping:
    safe strings pass through, anything else is escaped as Django's escape() does."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))
