"""Property-based fuzzing of every public form and query parameter: no input gets a 5xx.

Values include NUL bytes, huge and non-finite numbers, unicode, lone surrogates (sent as the
bytes a careless client would encode them to), invalid UTF-8 and overlong strings. Query strings
and form bodies are built by hand, so bytes no well-behaved client would send still arrive.
A 503 counts as a failure too: the site answers 503 only when the database is down, so a 503
here would be a database error in disguise.
"""

from datetime import timedelta
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shop import services
from tests.factories import ArtistFactory, ReleaseFactory, pressing_on_sale
from tests.hardening.stack import BROWSER_UA
from tests.shop.test_checkout import cart_with

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SPECIAL = [
    "",
    "\x00",
    "1\x00",
    "\x00\x00drive",
    "0",
    "-1",
    "-0",
    "00000000000000000000001",
    "9" * 400,
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1e999999",
    "-1e-999999",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "0x1F",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: int() accepts them
    "²",
    "12.345678901234567890",
    " 7 ",
    "true",
    "on",
    "[]",
    "{}",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "%00",
    "%",
    "\ud800",
    "\udfff",
    "\U0010ffff",
    "👩‍👩‍👧‍👦",
    "\u202edrive",
    "Ω" * 5000,
    "a" * 100_000,
]

# Every character, lone surrogates included.
ANY_CHAR = st.characters(exclude_categories=())
hostile = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(ANY_CHAR, max_size=40),
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda c, n: c * n, ANY_CHAR, st.integers(200, 20_000)),
)
raw_bytes = st.binary(max_size=30)


def encode(value):
    """Percent-encode as a client would; a lone surrogate becomes its (invalid) UTF-8 bytes."""
    if isinstance(value, bytes):
        return quote_from_bytes(value)
    return quote_from_bytes(value.encode("utf-8", "surrogatepass"))


def query(pairs):
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def params(names):
    """Some of the named parameters (repeats allowed), each with a hostile value or raw bytes."""
    return st.lists(
        st.tuples(st.sampled_from(names), st.one_of(hostile, raw_bytes)), min_size=1, max_size=8
    )


def assert_no_server_error(response):
    assert response.status_code < 500, response.content[:2000]


def post_form(client, path, pairs, **extra):
    return client.post(
        path, data=query(pairs), content_type="application/x-www-form-urlencoded", **extra
    )


@pytest.fixture
def client():
    return Client(raise_request_exception=False, HTTP_USER_AGENT=BROWSER_UA)


@pytest.fixture
def release():
    release = ReleaseFactory(
        title="Drive (Original Motion Picture Soundtrack)",
        slug="drive",
        published_at=timezone.now() - timedelta(days=1),
    )
    ArtistFactory(name="Cliff Martinez")
    return release


@pytest.fixture
def pressing(release):
    return pressing_on_sale(release=release, on_hand=1_000_000)


@pytest.fixture
def offline_shop(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_API_BASE = ""
    settings.SHOP_TEST_CHECKOUT = True


LIST_PARAMETERS = [
    "format",
    "colour",
    "label",
    "composer",
    "decade",
    "kind",
    "in_stock",
    "price_min",
    "price_max",
    "sort",
    "page",
]


@FUZZ
@given(pairs=params(LIST_PARAMETERS))
def test_release_list_filters_sort_and_page(client, pressing, pairs):
    assert_no_server_error(client.get(f"/releases/?{query(pairs)}"))


@FUZZ
@given(pairs=params(["q", "q", *LIST_PARAMETERS]))
def test_search(client, pressing, pairs):
    assert_no_server_error(client.get(f"/search/?{query(pairs)}"))


@FUZZ
@given(pairs=params(["page", "page", "tag"]), path=st.sampled_from(["/reviews/", "/features/"]))
def test_magazine_lists(client, pairs, path):
    assert_no_server_error(client.get(f"{path}?{query(pairs)}"))


@FUZZ
@given(
    path=st.sampled_from(["/cart/add/", "/cart/update/", "/cart/remove/"]),
    pairs=params(["pressing", "quantity", "next", "price"]),
)
def test_cart_posts(client, pressing, path, pairs):
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    assert_no_server_error(post_form(client, path, pairs))
    assert_no_server_error(client.get("/cart/"))


@FUZZ
@given(pairs=params(["email", "email", "total"]))
def test_checkout_email(client, pressing, offline_shop, pairs):
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    assert_no_server_error(post_form(client, "/checkout/", pairs))


@pytest.fixture
def order(pressing, offline_shop):
    return services.start_checkout(cart=cart_with((pressing, 1))).order


@FUZZ
@given(
    path=st.sampled_from(["/checkout/success/", "/checkout/cancel/", "/orders/{number}/"]),
    pairs=params(["order", "key"]),
    real_number=st.booleans(),
)
@example(path="/checkout/success/", pairs=[("order", "\x00")], real_number=False)
@example(path="/orders/{number}/", pairs=[("key", "é")], real_number=True)
def test_order_links(client, order, path, pairs, real_number):
    if real_number:  # the key is then checked against a real order's
        pairs = [("order", order.number), *pairs]
    path = path.format(number=order.number)
    assert_no_server_error(client.get(f"{path}?{query(pairs)}"))


@FUZZ
@given(pairs=params(["email", "pressing", "next"]))
@example(pairs=[("next", "1\x00")])
def test_notify_me(client, pressing, pairs):
    assert_no_server_error(post_form(client, "/notify/", pairs))


@FUZZ
@given(pairs=params(["choice", "choice"]), background=st.booleans())
def test_vote_choice(client, release, settings, pairs, background):
    settings.POLL_RATE_PER_ADDRESS = 10_000
    client.get(release.get_absolute_url())  # the voter cookie
    extra = {"HTTP_X_REQUESTED_WITH": "fetch"} if background else {}
    assert_no_server_error(post_form(client, f"/releases/{release.slug}/poll/", pairs, **extra))


@FUZZ
@given(pairs=params(["amount", "amount"]), background=st.booleans())
def test_would_pay_amount(client, release, settings, pairs, background):
    settings.POLL_RATE_PER_ADDRESS = 10_000
    client.get(release.get_absolute_url())
    client.post(f"/releases/{release.slug}/poll/", {"choice": "too_expensive"})
    extra = {"HTTP_X_REQUESTED_WITH": "fetch"} if background else {}
    path = f"/releases/{release.slug}/poll/would-pay/"
    assert_no_server_error(post_form(client, path, pairs, **extra))


@FUZZ
@given(pairs=params(["instance", "choice"]))
def test_mastodon_instance(client, release, pairs):
    path = f"/releases/{release.slug}/poll/share/mastodon/"
    assert_no_server_error(client.get(f"{path}?{query(pairs)}"))


@FUZZ
@given(slug=hostile)
@example(slug="\x00")
def test_paths(client, slug):
    for prefix in (
        "/releases/",
        "/artists/",
        "/labels/",
        "/films/",
        "/reviews/",
        "/features/",
        "/orders/",
        "/checkout/test/",
        "/notify/confirm/",
        "/notify/unsubscribe/",
    ):
        assert_no_server_error(client.get(f"{prefix}{encode(slug)}/"))
