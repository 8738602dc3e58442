"""Every page's SQL query count: under 12, and recorded for the benchmark's table.

The benchmark (bench/run.py) prints these numbers beside each page's throughput, read from
test-artifacts/query-counts.json, which this module writes.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalogue.models import Credit, Role
from reviews.models import Status as PieceStatus
from tests.factories import (
    ArtistFactory,
    FeatureEntryFactory,
    FeatureFactory,
    ReleaseFactory,
    ReviewFactory,
    TrackArtistFactory,
    TrackFactory,
    pressing_on_sale,
)
from tests.ratings.conftest import BROWSER_UA
from tests.shop.conftest import fake_stripe  # noqa: F401 (a fixture)

MAX_QUERIES = 12
RESULTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "query-counts.json"
measured = {}


@pytest.fixture(scope="module", autouse=True)
def _write_results():
    yield
    if measured:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(measured, indent=2, sort_keys=True))


@pytest.fixture(autouse=True)
def _cold_cache():
    cache.clear()


@pytest.fixture
def catalogue():
    composer = ArtistFactory(name="Cliff Martinez")
    role = Role.objects.get_or_create(slug="composed-by", defaults={"name": "Composed By"})[0]
    releases = []
    for n in range(30):
        release = ReleaseFactory(title=f"Night Drive {n}")
        Credit.objects.create(release=release, artist=composer, role=role)
        for t in range(12):
            track = TrackFactory(release=release, position=f"{'AB'[t // 6]}{t % 6 + 1}")
            TrackArtistFactory(track=track, artist=composer)
        pressing_on_sale(release=release, amount=Decimal("28.60"))
        pressing_on_sale(release=release, amount=Decimal("24.00"))
        releases.append(release)
    review = ReviewFactory(releases=[releases[0]], status=PieceStatus.PUBLISHED)
    feature = FeatureFactory(status=PieceStatus.PUBLISHED)
    for release in releases[:6]:
        FeatureEntryFactory(feature=feature, release=release)
    return {"releases": releases, "composer": composer, "review": review, "feature": feature}


def measure(name, client, method, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (name, response.status_code)
    count = len(captured.captured_queries)
    measured[name] = max(count, measured.get(name, 0))
    assert count < MAX_QUERIES, (name, [q["sql"][:120] for q in captured.captured_queries])
    return response


@pytest.mark.django_db
def test_every_page_stays_under_the_query_budget(catalogue, fake_stripe):  # noqa: F811
    release = catalogue["releases"][0]
    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    reader.get("/")  # a first visit sets the session and voter cookies, like a returning reader
    measure("home", reader, "get", "/")
    measure("release", reader, "get", release.get_absolute_url())
    measure("release-list", reader, "get", "/releases/")
    measure("release-list", reader, "get", "/releases/?format=lp&decade=2010&sort=price")
    measure("search", reader, "get", "/search/?q=night+drive")
    measure("search", reader, "get", "/search/?q=martinz")
    measure("artist", reader, "get", catalogue["composer"].get_absolute_url())
    measure("label", reader, "get", release.pressings.first().label.get_absolute_url())
    measure("film", reader, "get", release.film.get_absolute_url())
    measure("review", reader, "get", catalogue["review"].get_absolute_url())
    measure("review-list", reader, "get", "/reviews/")
    measure("feature", reader, "get", catalogue["feature"].get_absolute_url())
    pressing = release.pressings.first()
    measure("cart-add", reader, "post", "/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    measure("cart", reader, "get", "/cart/")
    measure("vote", reader, "post", f"/releases/{release.slug}/poll/", {"choice": "buying"})
    measure("release", reader, "get", release.get_absolute_url())  # with a vote and a cart
    # Starting a checkout: the cart, the pressings, the reservation's messages and the order's
    # Stripe session; the session is not written (BEGIN and COMMIT are not counted).
    response = measure("checkout", reader, "post", "/checkout/", {"email": "buyer@example.com"})
    assert response.url.startswith(fake_stripe.base)


@pytest.mark.django_db
def test_a_returning_readers_cached_release_page_costs_one_query(catalogue, settings):
    settings.PAGE_CACHE = True
    release = catalogue["releases"][0]
    reader = Client(HTTP_USER_AGENT=BROWSER_UA)
    reader.get(release.get_absolute_url())  # the page is cached; the voter cookie is set
    reader.post(f"/releases/{release.slug}/poll/", {"choice": "buying"})
    # Their poll filled in: their vote and the release's counts, in one statement. (After a
    # "Maybe Buy" the shop's notify-me form below the poll reads the pressings: one more.)
    response = measure("release-returning", reader, "get", release.get_absolute_url())
    assert "You answered <strong>Buying!</strong>" in response.content.decode()
    assert measured["release-returning"] == 1
