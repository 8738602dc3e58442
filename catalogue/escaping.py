"""HTML escaping for markup composed in Python (release cards, the filter menus, the poll, the
buy box)."""

import html

from django.middleware.csrf import get_token
from django.utils.safestring import SafeData


def escaped(value):
    """conditional_escape() without its lazy-string wrapper, which costs more than the escaping:
    safe strings pass through, anything else is escaped as Django's escape() does."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def csrf_input(request):
    """{% csrf_token %} for a form composed in Python: a hidden input with a masked token.

    One masked token per request, shared by every form of the page, as the template tag's
    context does (and as a page from the page cache gets); masking one costs 0.1 ms."""
    if request is None:
        return '<input type="hidden" name="csrfmiddlewaretoken" value="">'
    token = getattr(request, "_csrf_input_token", None)
    if token is None:
        token = request._csrf_input_token = get_token(request)
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escaped(token)}">'
