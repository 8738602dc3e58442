"""The readers' page cache: fast when nothing changed, never stale when something did."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalogue.views import CappedPaginator, ReleaseListView, release_page_queries
from config.page_cache import CART, CSRF, NONCE, POLL, _filled, _split, pages
from ratings.selectors import _reader_poll
from ratings.voters import VOTER_COOKIE, VOTER_COOKIE_SALT, voter_token
from reviews.models import Status as PieceStatus
from shop.models import Price
from tests.factories import ReleaseFactory, ReviewFactory, pressing_on_sale
from tests.ratings.conftest import BROWSER_UA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def release():
    release = ReleaseFactory(title="Drive")
    pressing_on_sale(release=release, amount=Decimal("28.60"), on_hand=40)
    return release


def reader():
    return Client(HTTP_USER_AGENT=BROWSER_UA)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured.captured_queries)


def release_page(client, release):
    """(html, whether the page was built: its own statements ran, so it did not come from the
    cache). The reader's poll is filled in live either way, and may cost a query of its own."""
    release_statement = release_page_queries()[0].name
    with CaptureQueriesContext(connection) as captured:
        response = client.get(release.get_absolute_url())
    assert response.status_code == 200
    built = any(release_statement in query["sql"] for query in captured.captured_queries)
    return response.content.decode(), built


def test_a_cached_list_page_costs_no_catalogue_queries(release):
    client = reader()
    first, cold = queries(client, "/releases/")
    second, warm = queries(client, "/releases/")
    assert warm < cold
    assert warm <= 1  # at most the session, read to fill in the cart count
    assert second == first


def test_a_price_change_shows_at_once(release):
    client = reader()
    assert "$28.60" in queries(client, release.get_absolute_url())[0]
    assert "$28.60" in queries(client, "/releases/")[0]
    price = Price.objects.get(pressing__release=release)
    price.amount = Decimal("24.00")
    price.save()
    assert "$24.00" in queries(client, release.get_absolute_url())[0]
    assert "$24.00" in queries(client, "/releases/")[0]


def test_a_new_review_shows_at_once(release):
    client = reader()
    assert "A neon fairytale" not in queries(client, release.get_absolute_url())[0]
    ReviewFactory(releases=[release], headline="A neon fairytale", status=PieceStatus.PUBLISHED)
    assert "A neon fairytale" in queries(client, release.get_absolute_url())[0]


def test_an_editors_change_shows_at_once(release):
    client = reader()
    queries(client, release.get_absolute_url())
    release.title = "Drive (Deluxe Edition)"
    release.save()
    assert "Drive (Deluxe Edition)" in queries(client, release.get_absolute_url())[0]


def test_a_sale_updates_the_availability_at_once(
    release, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_TEST_CHECKOUT = True  # checkout holds the copy without Stripe
    client = reader()
    pressing = release.pressings.get()
    pressing.shop_stock.on_hand = 3
    pressing.shop_stock.save()
    assert "Only 3 left" in queries(client, release.get_absolute_url())[0]
    buyer = reader()
    buyer.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post("/checkout/", {"email": "fan@example.com"})
    assert response.status_code == 302
    assert "Only 2 left" in queries(client, release.get_absolute_url())[0]


def _buy_one(pressing, django_capture_on_commit_callbacks):
    buyer = reader()
    buyer.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    with django_capture_on_commit_callbacks(execute=True):
        response = buyer.post("/checkout/", {"email": "fan@example.com"})
    assert response.status_code == 302


def test_a_sale_that_changes_nothing_shown_keeps_the_pages_cached(
    release, settings, django_capture_on_commit_callbacks
):
    """40 copies on hand: one more held changes no label, count or menu, so the release-day
    crowd keeps getting the cached page instead of each sale making it stale."""
    settings.SHOP_TEST_CHECKOUT = True
    client = reader()
    assert release_page(client, release)[1]  # built
    assert not release_page(client, release)[1]  # cached
    queries(client, "/releases/")
    _buy_one(release.pressings.get(), django_capture_on_commit_callbacks)
    html, built = release_page(client, release)
    assert not built  # still a cache hit
    assert "In stock" in html
    assert queries(client, "/releases/")[1] <= 1


def test_selling_the_last_copy_shows_sold_out_everywhere_at_once(
    release, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_TEST_CHECKOUT = True
    pressing = release.pressings.get()
    pressing.shop_stock.on_hand = 1
    pressing.shop_stock.save()
    client = reader()
    assert "Only 1 left" in queries(client, release.get_absolute_url())[0]
    assert "Sold out" not in queries(client, "/releases/")[0]
    _buy_one(pressing, django_capture_on_commit_callbacks)
    assert "Sold out" in queries(client, release.get_absolute_url())[0]
    assert "Sold out" in queries(client, "/releases/")[0]


def test_each_reader_gets_their_own_cart_count_and_a_working_csrf_token(release):
    first = reader()
    queries(first, release.get_absolute_url())  # fills the cache
    second = Client(HTTP_USER_AGENT=BROWSER_UA, enforce_csrf_checks=True)
    html, _ = queries(second, release.get_absolute_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = second.post(
        "/cart/add/",
        {"pressing": release.pressings.get().pk, "quantity": 1, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    mine, _ = queries(second, release.get_absolute_url())
    theirs, _ = queries(first, release.get_absolute_url())
    assert "data-cart-count>1<" in mine
    assert "data-cart-count>0<" in theirs


def test_the_poll_is_each_readers_own(release):
    voter, other = reader(), reader()
    queries(voter, release.get_absolute_url())
    queries(other, release.get_absolute_url())
    voter.post(f"/releases/{release.slug}/poll/", {"choice": "buying"})
    assert "Thanks for rating this!" in queries(voter, release.get_absolute_url())[0]
    assert "Thanks for rating this!" not in queries(other, release.get_absolute_url())[0]


def test_a_returning_readers_cached_page_costs_one_statement_for_their_poll(release):
    voter = reader()
    queries(voter, release.get_absolute_url())  # the voter cookie is set
    voter.post(f"/releases/{release.slug}/poll/", {"choice": "too_expensive"})
    caches["pages"].clear()
    fresh, built = release_page(voter, release)
    assert built
    with CaptureQueriesContext(connection) as captured:
        cached = voter.get(release.get_absolute_url()).content.decode()
    assert [q["sql"] for q in captured.captured_queries] == [
        q["sql"] for q in captured.captured_queries if _reader_poll().name in q["sql"]
    ]
    assert len(captured.captured_queries) == 1
    # The poll filled in from the cache is the one the page renders for this reader.
    assert poll_of(cached) == poll_of(fresh)
    assert "Thanks for rating this!" in poll_of(cached)
    assert "What would you pay?" in poll_of(cached)


def test_a_reader_whose_cookie_never_voted_costs_no_query(release):
    queries(reader(), release.get_absolute_url())  # a first-time visitor's page is cached
    returning = reader()
    queries(returning, release.get_absolute_url())  # holds a voter cookie marked "never voted"
    with CaptureQueriesContext(connection) as captured:
        page = returning.get(release.get_absolute_url()).content.decode()
    assert len(captured.captured_queries) == 0
    assert poll_of(page) == poll_of(queries(reader(), release.get_absolute_url())[0])
    # Once their vote is counted the cookie says so, and the page shows it.
    returning.post(f"/releases/{release.slug}/poll/", {"choice": "buying"})
    page, count = queries(returning, release.get_absolute_url())
    assert count == 1
    assert "You answered <strong>Buying!</strong>" in poll_of(page)


def test_a_page_first_cached_for_a_voter_costs_newcomers_no_query(release):
    voter = reader()
    queries(voter, release.get_absolute_url())
    voter.post(f"/releases/{release.slug}/poll/", {"choice": "maybe"})
    pages.clear()
    # The page is cached from the voter's request: their answer, the results, the notify-me form.
    voters_page, built = release_page(voter, release)
    assert built and "You answered <strong>Maybe Buy</strong>" in poll_of(voters_page)
    # Readers who have not voted get the poll every such reader sees, with no query.
    newcomer = reader()
    with CaptureQueriesContext(connection) as captured:
        newcomers_page = newcomer.get(release.get_absolute_url()).content.decode()
    assert len(captured.captured_queries) == 0
    assert "You answered" not in newcomers_page and "Notify me" not in poll_of(newcomers_page)
    with CaptureQueriesContext(connection) as captured:
        never_voted_page = newcomer.get(release.get_absolute_url()).content.decode()
    assert len(captured.captured_queries) == 0
    pages.clear()
    fresh_page, built = release_page(reader(), release)
    assert built
    assert poll_of(newcomers_page) == poll_of(never_voted_page) == poll_of(fresh_page)
    # The voter still gets their own.
    assert "You answered <strong>Maybe Buy</strong>" in poll_of(release_page(voter, release)[0])


def test_a_voter_cookie_from_before_the_mark_is_looked_up(release):
    voter = reader()
    queries(voter, release.get_absolute_url())
    voter.post(f"/releases/{release.slug}/poll/", {"choice": "buying"})
    # The same token in a cookie without the mark, as set before there was one.
    token = voter_token_of(voter)
    legacy = HttpResponse()
    legacy.set_signed_cookie(VOTER_COOKIE, token, salt=VOTER_COOKIE_SALT)
    voter.cookies[VOTER_COOKIE] = legacy.cookies[VOTER_COOKIE].value
    page, count = queries(voter, release.get_absolute_url())
    assert count == 1
    assert "You answered <strong>Buying!</strong>" in poll_of(page)


def voter_token_of(client):
    request = HttpRequest()
    request.COOKIES[VOTER_COOKIE] = client.cookies[VOTER_COOKIE].value
    return voter_token(request)


def poll_of(html):
    """The poll's section, without the CSRF token every response masks afresh."""
    start = html.index('<section id="poll"')
    section = html[start : html.index("</section>", start)]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", section)


def test_signed_in_staff_never_get_cached_pages(release):
    staff = get_user_model().objects.create_user("editor", password="pw-123456789", is_staff=True)
    client = Client()
    client.force_login(staff)
    queries(client, "/releases/")  # fills what is cached below whole pages (the filter fields)
    _, first = queries(client, "/releases/")
    _, second = queries(client, "/releases/")
    assert second == first


def test_a_first_time_visitor_costs_no_query_and_still_gets_a_voter_cookie(release):
    queries(reader(), release.get_absolute_url())  # fills the cache
    newcomer = reader()
    with CaptureQueriesContext(connection) as captured:
        response = newcomer.get(release.get_absolute_url())
    assert response.status_code == 200
    assert len(captured.captured_queries) == 0
    assert "nd_voter" in response.cookies
    assert "What Do You Think of This Release?" in response.content.decode()


def test_a_stream_of_pages_leaves_the_kept_list_windows_alone(settings):
    # Local memory keeps a bounded number of entries per cache and culls the least recently used.
    # Pages have a cache of their own: thirty release pages nobody asked for before (a page and a
    # generation each, when they shared the default cache) must not push the list's kept window
    # and count out. Each cache holds 50 entries here, 300 in production against a crawler's
    # thousands of pages.
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {
        "default": {"BACKEND": locmem, "LOCATION": "flood-default", "OPTIONS": {"MAX_ENTRIES": 50}},
        "pages": {"BACKEND": locmem, "LOCATION": "flood-pages", "OPTIONS": {"MAX_ENTRIES": 50}},
    }
    for alias in caches.settings:
        caches[alias].clear()
    releases = ReleaseFactory.create_batch(31)
    client = reader()
    queries(client, "/releases/")  # the first page: its window of pages and the count are kept

    for release in releases[:30]:
        queries(client, release.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/releases/?page=2")

    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in statements if "COUNT(" in sql.upper()]
    window = CappedPaginator.window_pages * ReleaseListView.paginate_by
    assert not [sql for sql in statements if f"LIMIT {window}" in sql]
    assert len(statements) <= 2  # the page's cards (and at most the session)


def test_the_per_reader_parts_are_cut_out_as_the_patterns_describe():
    cart = re.compile(rb"(data-cart-count>)\d+(<)")
    csrf = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
    pages = [
        "<span data-cart-count>12</span> and <span data-cart-count>3</span>",
        "<span data-cart-count></span> <span data-cart-count>x1</span> <span data-cart-count>7",
        "data-cart-count>data-cart-count>4<",
        "<span data-cart-count>\u0661\u0662</span> … non-ASCII digits are not a count",
        '<input name="csrfmiddlewaretoken" value="abc"><input name="csrfmiddlewaretoken" value="">',
        '<input name="csrfmiddlewaretoken" value="unclosed',
        '<p data-cart-count>2</p><input name="csrfmiddlewaretoken" value="t"> — both, in order',
        "nothing to mark",
        "",
    ]
    for page in pages:
        content = page.encode()
        parts = _split(content)
        assert all(isinstance(part, bytes) for part in parts[::2])
        named = b"".join(
            part if at % 2 == 0 else f"<{part}>".encode() for at, part in enumerate(parts)
        )
        expected = cart.sub(rb"\1<cart>\2", content)
        expected = csrf.sub(rb"\1<csrf>\2", expected)
        assert named == expected


def test_a_split_page_filled_in_is_the_page_with_the_readers_parts():
    page = (
        b'<script nonce="n0nce">1</script><span data-cart-count>0</span>'
        b'<form><input name="csrfmiddlewaretoken" value="old"></form>'
        b'<style nonce="n0nce"></style>'
    )
    parts = _split(page, b'nonce="n0nce"')
    assert set(parts[1::2]) == {CART, CSRF, NONCE}
    values = {CART: b"3", CSRF: b"new", NONCE: b'nonce="fresh"', POLL: b""}
    assert b"".join(_filled(parts, values)) == (
        b'<script nonce="fresh">1</script><span data-cart-count>3</span>'
        b'<form><input name="csrfmiddlewaretoken" value="new"></form>'
        b'<style nonce="fresh"></style>'
    )
