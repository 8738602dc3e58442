"""Whole-page cache for readers, with the few per-reader parts filled in on every request.

Catalogue and magazine pages are the same for every anonymous reader except for the cart count
in the header, the CSRF token in forms, the CSP nonce, and the release poll. A cached page is
kept as its bytes cut at those parts, and each hit joins them with the reader's own: the header
count from the session, a fresh token, the request's nonce, and the poll: the stored one for a
reader without a voter cookie or with one that has never had a vote counted
(ratings.voters.has_never_voted), rendered live for everyone else. The poll kept is the one a
reader who has not voted sees: as rendered for a reader without the cookie, or composed from the
release's address for a page rendered for a reader with one (a marked cookie only says what it
knew when it was set, so their own poll is never kept). Keys carry the generations of what a
page shows (catalogue.cache), so an editor's change, a new review or a stock change shows at
once.

Signed-in users (staff previewing drafts), requests carrying flash messages and anything but a
200 are never served from or stored in the cache.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.connection import ConnectionProxy

from catalogue.cache import generations
from catalogue.escaping import response_csrf_token
from ratings.fragments import live_poll_html, new_reader_poll_html
from ratings.voters import VOTER_COOKIE, has_never_voted
from shop.context_processors import cart as cart_context

TIMEOUT = 600
# Scheduled reviews appear when their time comes, without a save to bump a generation.
MAGAZINE_TIMEOUT = 60
# "Most wanted" moves with every vote, which bumps nothing: a short life instead.
VOTES_TIMEOUT = 30

# Named for the shape of an entry (_entry): a shared cache may still hold entries an earlier
# release of the site kept another way, under other keys.
KEY_PREFIX = "page-parts"

# Pages in a cache of their own (settings.CACHES), so their flood evicts nothing else.
pages = ConnectionProxy(caches, "pages")

PAGES = {
    "catalogue:home": ("catalogue", "reviews", "shop"),
    "catalogue:release-list": ("catalogue", "shop"),
    "catalogue:search": ("catalogue", "shop"),
    "catalogue:artist-detail": ("catalogue", "shop"),
    "catalogue:label-detail": ("catalogue", "shop"),
    "catalogue:film-detail": ("catalogue", "shop"),
    "catalogue:release-detail": ("catalogue", "reviews"),  # plus the release's own shop scope
    "reviews:review-list": ("reviews", "catalogue"),
    "reviews:review-detail": ("reviews", "catalogue"),
    "reviews:feature-list": ("reviews", "catalogue"),
    "reviews:feature-detail": ("reviews", "catalogue"),
}

# The per-reader parts of a page, found by the text around them (see _runs): the cart count
# <span data-cart-count>3</span>, every form's <input name="csrfmiddlewaretoken" value="...">, the
# CSP nonce in nonce="...", the poll between its two comments. Reader-supplied text cannot fake
# them: it is escaped, and none of them survives escaping.
CART_COUNT = (b"data-cart-count>", b"<")
CSRF_INPUT = (b'name="csrfmiddlewaretoken" value="', b'"')
POLL_START, POLL_END = b"<!--live:poll-->", b"<!--/live:poll-->"
# What a cached page keeps in their place (see _split).
CART, CSRF, NONCE, POLL = "cart", "csrf", "nonce", "poll"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key and self._storable(request, response):
            pages.set(key, self._entry(request, response.content), request._page_cache_timeout)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            not settings.PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or not self._cacheable(request)
        ):
            return None
        name = request.resolver_match.view_name
        scopes = PAGES.get(name)
        if scopes is None:
            return None
        slug = view_kwargs.get("slug", "")
        if name == "catalogue:release-detail":
            scopes = (*scopes, f"shop:release:{slug}")
        path = request.get_full_path()
        digest = hashlib.blake2b(f"{name}|{path}".encode(), digest_size=16).hexdigest()
        key = f"{KEY_PREFIX}:{digest}:{generations(*scopes)}"
        entry = pages.get(key)
        if entry is not None:
            page = self._fill(request, entry, slug)
            if page is not None:
                return HttpResponse(page, content_type="text/html; charset=utf-8")
        request._page_cache_key = key
        request._page_cache_slug = slug
        request._page_cache_timeout = self._timeout(scopes, request)
        return None

    @staticmethod
    def _cacheable(request):
        return "messages" not in request.COOKIES and not request.user.is_authenticated

    @staticmethod
    def _timeout(scopes, request):
        if request.GET.get("sort") == "wanted":
            return VOTES_TIMEOUT
        return MAGAZINE_TIMEOUT if "reviews" in scopes else TIMEOUT

    def _storable(self, request, response):
        return (
            response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and self._cacheable(request)
        )

    @staticmethod
    def _entry(request, content):
        """What is kept of a page: its UTF-8 bytes cut at its per-reader parts (_split).

        The poll kept is the one every reader who has not voted sees, so first-time visitors and
        readers whose voter cookie has never had a vote counted cost no query at all: the page's
        own when it was rendered for a reader without a voter cookie, else composed afresh.
        """
        nonce = getattr(request, "_csp_nonce", None)
        nonce = f'nonce="{nonce}"'.encode() if nonce else None
        poll = None
        start = content.find(POLL_START)
        end = content.find(POLL_END, start) if start != -1 else -1
        if end == -1:
            parts = _split(content, nonce)
        else:
            end += len(POLL_END)
            new_reader_poll = content[start:end]
            if VOTER_COOKIE in request.COOKIES:
                # Rendered for this reader, who may have voted.
                composed = new_reader_poll_html(request, request._page_cache_slug)
                new_reader_poll = POLL_START + composed.encode() + POLL_END
            poll = _split(new_reader_poll, nonce)
            parts = (*_split(content[:start], nonce), POLL, *_split(content[end:], nonce))
        return {"parts": parts, "poll": poll}

    @staticmethod
    def _fill(request, entry, slug):
        """The cached page for this reader, as bytes, or None when it must be rendered afresh."""
        parts, poll = entry["parts"], entry["poll"]
        marks = {*parts[1::2], *(poll[1::2] if poll else ())}
        values = {}
        if CART in marks:
            values[CART] = str(cart_context(request)["cart_count"]).encode()
        if CSRF in marks:
            values[CSRF] = response_csrf_token(request).encode()
        if NONCE in marks:
            values[NONCE] = f'nonce="{request._csp_nonce}"'.encode()
        if POLL in marks:
            if VOTER_COOKIE not in request.COOKIES or has_never_voted(request):
                # A reader without a voter cookie, or with one that has never had a vote
                # counted: the poll every such reader sees, with no query.
                values[POLL] = b"".join(_filled(poll, values))
                request.poll_shown = True  # the voter cookie is handed out as on a rendered page
            else:
                live = live_poll_html(request, slug)
                if live is None:
                    return None
                values[POLL] = live.encode()
        return b"".join(_filled(parts, values))


def _filled(parts, values):
    """parts (from _split) with each mark replaced by its value."""
    filled = list(parts)
    for at in range(1, len(filled), 2):
        filled[at] = values[filled[at]]
    return filled


def _split(content, nonce=None):
    """content cut at its per-reader parts: a tuple of the text between them (bytes) and, between
    each two, the name of the part cut out (CART, CSRF or NONCE).

    A cached page is kept so: filling it in is one join. On the str of the page (26 kB of text
    with a few characters beyond Latin-1, so two bytes each) the four str.replace() calls and
    three ``in`` tests of a cached release page took 0.12 ms, a fifth of the page; bytes need no
    encoding afterwards either.
    """
    cuts = [(*run, CART) for run in _runs(content, *CART_COUNT, digits=True)]
    cuts += [(*run, CSRF) for run in _runs(content, *CSRF_INPUT)]
    if nonce:
        at = 0
        while (found := content.find(nonce, at)) != -1:
            at = found + len(nonce)
            cuts.append((found, at, NONCE))
    cuts.sort()
    parts, last = [], 0
    for begin, stop, mark in cuts:
        parts += (content[last:begin], mark)
        last = stop
    parts.append(content[last:])
    return tuple(parts)


def _runs(content, before, after, *, digits=False):
    """(begin, stop) of each run of text between ``before`` and the next ``after`` (when
    ``digits``, only runs of one or more digits)."""
    runs, at = [], 0
    while (found := content.find(before, at)) != -1:
        begin = found + len(before)
        stop = content.find(after, begin)
        if stop == -1:
            break
        if digits and not (stop > begin and content[begin:stop].isdigit()):
            at = begin
            continue
        runs.append((begin, stop))
        at = stop
    return runs
