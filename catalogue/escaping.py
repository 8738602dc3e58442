"""HTML escaping for markup composed in Python (release cards, the filter menus, the poll, the
buy box)."""

import html
import os

from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH
from django.utils.safestring import SafeData, SafeString

_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# Random bytes at or above this are skipped, so that each of the 62 characters is equally likely.
_UNBIASED_BELOW = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def escaped(value):
    """conditional_escape() without its lazy-string wrapper, which costs more than the escaping:
    safe strings pass through, anything else is escaped as Django's escape() does."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def markup(text):
    """A str of markup composed here (every value in it escaped), marked safe: what mark_safe()
    returns for a str, without the check for lazy strings its decorator makes on every call,
    which took 2.5 of its 3 µs. A search page marks some 200 pieces (highlighted titles, names
    and snippets, the cards, their prices); like mark_safe(), each call is to be read with the
    code that escaped what it marks."""
    return SafeString(text)


def script_json(text):
    """JSON text made safe inside a <script> element, as Django's json_script escapes it: no
    "<", ">" or "&" is left to close the element or open a comment.

    Three str.replace() calls: str.translate() with a mapping looks every character up in Python
    and took 0.3 ms for a release's 3 kB of JSON-LD, ten times what json.dumps() took.
    """
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def csrf_input(request):
    """{% csrf_token %} for a form composed in Python: a hidden input with the response's token
    (response_csrf_token)."""
    if request is None:
        return '<input type="hidden" name="csrfmiddlewaretoken" value="">'
    token = response_csrf_token(request)
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escaped(token)}">'


def response_csrf_token(request):
    """The masked CSRF token every form of this request's response carries: one per request, as
    the template tag's context gives one, whether the forms are composed in Python (csrf_input)
    or filled into a cached page (config.page_cache); masking one costs 0.1 ms."""
    token = getattr(request, "_response_csrf_token", None)
    if token is None:
        token = request._response_csrf_token = _checked_token(request) or masked_csrf_token(request)
    return token


def masked_csrf_token(request):
    """What django.middleware.csrf.get_token() returns: the request's CSRF secret masked afresh,
    the secret made (and sent as the CSRF cookie) when the request has none.

    get_token() draws each of a token's characters with its own os.urandom() call (secrets.choice):
    0.12 ms for the mask, as much again for a first visitor's secret, on every page with a form
    and every cached page it is filled into. Here one os.urandom() call draws each string, masked
    by Django's arithmetic (tests check that CsrfViewMiddleware accepts the token)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_alphanumeric(CSRF_SECRET_LENGTH)
    # As get_token(): the response sends the cookie, new or renewed.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = random_alphanumeric(CSRF_SECRET_LENGTH)
    chars, index, size = CSRF_ALLOWED_CHARS, _INDEX, len(CSRF_ALLOWED_CHARS)
    return mask + "".join(
        chars[(index[s] + index[m]) % size] for s, m in zip(secret, mask, strict=True)
    )


def random_alphanumeric(length):
    """length characters of CSRF_ALLOWED_CHARS, each drawn uniformly from a secure source."""
    drawn = []
    while len(drawn) < length:
        drawn += alphanumeric(os.urandom(length + 8))
    return "".join(drawn[:length])


def alphanumeric(random_bytes):
    """The characters random_bytes stand for: one per byte below _UNBIASED_BELOW (a multiple of
    62, so every character is as likely as any other), none for the bytes above it."""
    chars, size = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    return [chars[byte % size] for byte in random_bytes if byte < _UNBIASED_BELOW]


def _checked_token(request):
    """The masked token a POST was let through with, or None.

    A fragment that answers a form post (a vote, say) carries that token back instead of masking
    a new one: it is a token of the current secret, and the one client that receives it has just
    sent it. Tokens are masked afresh per response so that a page never repeats the secret in a
    form an attacker's own requests could draw out (BREACH); a request without a valid token
    never gets this far. A raw secret sent in place of a masked token is never copied into a page.
    """
    if request.method != "POST" or not getattr(request, "csrf_processing_done", False):
        return None
    if getattr(request, "_dont_enforce_csrf_checks", False):  # the test client's default
        return None
    # Where CsrfViewMiddleware read it, the form field first, then the header; it checked the
    # format. Its length tells a masked token from the raw secret.
    token = request.POST.get("csrfmiddlewaretoken", "") or request.META.get(
        settings.CSRF_HEADER_NAME, ""
    )
    return token if len(token) == CSRF_TOKEN_LENGTH else None
