"""Whole-page cache for readers, with the few per-reader parts filled in on every request.

Catalogue and magazine pages are the same for every anonymous reader except for the cart count
in the header, the CSRF token in forms, the CSP nonce, and the release poll. A cached page keeps
placeholders for those, and each hit fills them in: the header count from the session, a fresh
token, the request's nonce, and the poll: the stored one for a reader without a voter cookie or
with one that has never had a vote counted (ratings.voters.has_never_voted), rendered live for
everyone else. Only a poll rendered for a reader without the cookie is stored: a marked cookie
only says what it knew when it was set. Keys carry the generations of what a page
shows (catalogue.cache), so an editor's change, a new review or a stock change shows at once.

Signed-in users (staff previewing drafts), requests carrying flash messages and anything but a
200 are never served from or stored in the cache.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.connection import ConnectionProxy

from catalogue.cache import generations
from catalogue.escaping import masked_csrf_token
from ratings.fragments import live_poll_html
from ratings.voters import VOTER_COOKIE, has_never_voted
from shop.context_processors import cart as cart_context

TIMEOUT = 600
# Scheduled reviews appear when their time comes, without a save to bump a generation.
MAGAZINE_TIMEOUT = 60
# "Most wanted" moves with every vote, which bumps nothing: a short life instead.
VOTES_TIMEOUT = 30

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

# The per-reader parts of a page, found by the text around them (see _marked): the cart count
# <span data-cart-count>3</span>, every form's <input name="csrfmiddlewaretoken" value="...">, the
# poll between its two comments. Reader-supplied text cannot fake them: it is escaped, and none of
# them survives escaping.
CART_COUNT = ("data-cart-count>", "<")
CSRF_INPUT = ('name="csrfmiddlewaretoken" value="', '"')
POLL_START, POLL_END = "<!--live:poll-->", "<!--/live:poll-->"
CART_MARK = "\x00cart\x00"
CSRF_MARK = "\x00csrf\x00"
NONCE_MARK = "\x00nonce\x00"
POLL_MARK = "\x00poll\x00"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key and self._storable(request, response):
            pages.set(
                key, self._entry(request, response.content.decode()), request._page_cache_timeout
            )
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
        key = f"page:{digest}:{generations(*scopes)}"
        entry = pages.get(key)
        if entry is not None:
            page = self._fill(request, entry, slug)
            if page is not None:
                return HttpResponse(page, content_type="text/html; charset=utf-8")
        request._page_cache_key = key
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
    def _entry(request, html):
        """The page with its per-reader parts replaced by placeholders.

        A poll rendered for a reader with no voter cookie is the same for every such reader (they
        cannot have voted): it is kept, so first-time visitors cost no query at all.
        """
        html = _marked(html, *CART_COUNT, CART_MARK, digits=True)
        html = _marked(html, *CSRF_INPUT, CSRF_MARK)
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:
            html = html.replace(f'nonce="{nonce}"', f'nonce="{NONCE_MARK}"')
        poll = None
        start = html.find(POLL_START)
        end = html.find(POLL_END, start) if start != -1 else -1
        if end != -1:
            end += len(POLL_END)
            poll = html[start:end]
            html = html[:start] + POLL_MARK + html[end:]
        fresh_reader = VOTER_COOKIE not in request.COOKIES
        return {"page": html, "poll": poll if fresh_reader else None}

    @staticmethod
    def _fill(request, entry, slug):
        """The cached page for this reader, or None when it must be rendered afresh."""
        page = entry["page"]
        if POLL_MARK in page:
            if entry["poll"] is not None and (
                VOTER_COOKIE not in request.COOKIES or has_never_voted(request)
            ):
                # A reader without a voter cookie, or with one that has never had a vote
                # counted: the poll every such reader sees, with no query.
                poll = entry["poll"]
                request.poll_shown = True  # the voter cookie is handed out as on a rendered page
            else:
                poll = live_poll_html(request, slug)
                if poll is None:
                    return None
            page = page.replace(POLL_MARK, poll)
        page = page.replace(CART_MARK, str(cart_context(request)["cart_count"]))
        if CSRF_MARK in page:
            page = page.replace(CSRF_MARK, masked_csrf_token(request))
        if NONCE_MARK in page:
            page = page.replace(NONCE_MARK, str(request._csp_nonce))
        return page


def _marked(html, before, after, mark, *, digits=False):
    """html with each run of text between ``before`` and the next ``after`` replaced by mark
    (when ``digits``, only runs of one or more digits).

    str.find() where regular expressions scanned the page once per part: marking a cold list
    page (57 kB) took 0.21 ms of CPU, and takes 0.07 ms."""
    parts, last, at = [], 0, 0
    while (found := html.find(before, at)) != -1:
        begin = found + len(before)
        stop = html.find(after, begin)
        if stop == -1:
            break
        if digits and not (stop > begin and html[begin:stop].isdecimal()):
            at = begin
            continue
        parts += (html[last:begin], mark)
        last = at = stop
    if not parts:
        return html
    parts.append(html[last:])
    return "".join(parts)
