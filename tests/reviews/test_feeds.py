# ruff: noqa: S314 (parses the site's own feed and sitemap responses, not untrusted XML)
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from reviews.models import Status
from tests.factories import FeatureFactory, ReleaseFactory, ReviewFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def make_pieces():
    now = timezone.now()
    ReviewFactory(headline="Live review", publish_at=now - timedelta(hours=2))
    FeatureFactory(headline="Live feature", publish_at=now - timedelta(hours=1))
    ReviewFactory(headline="Draft review", status=Status.DRAFT, publish_at=None)
    FeatureFactory(
        headline="Future feature", status=Status.SCHEDULED, publish_at=now + timedelta(hours=1)
    )


def test_rss_feed_of_reviews_lists_published_reviews_only(client, django_assert_max_num_queries):
    make_pieces()
    with django_assert_max_num_queries(3):
        response = client.get("/reviews/feed/")
    titles = [t.text for t in ElementTree.fromstring(response.content).iter("title")]
    assert titles == ["Needle Drop: reviews", "Live review"]


def test_atom_feed_mixes_reviews_and_features_newest_first(client):
    make_pieces()
    response = client.get("/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    titles = [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]
    assert titles == ["Live feature", "Live review"]
    author = root.find(f"{ATOM}entry/{ATOM}author/{ATOM}name").text
    assert author.startswith("Writer")


def test_scheduled_review_enters_the_feed_at_its_publish_time(client):
    review = ReviewFactory(
        headline="Soon", status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=5)
    )
    assert b"Soon" not in client.get("/feed/").content
    review.publish_at = timezone.now() - timedelta(seconds=1)
    review.save()
    assert b"Soon" in client.get("/feed/").content


def test_sitemap_lists_releases_and_published_pieces(client, django_assert_max_num_queries):
    release = ReleaseFactory(slug="drive")
    ReleaseFactory(slug="unreleased", status="draft", published_at=None)
    review = ReviewFactory(slug="drive-review", releases=[release])
    ReviewFactory(slug="draft-review", releases=[release], status=Status.DRAFT, publish_at=None)
    feature = FeatureFactory(slug="six-soundtracks")
    FeatureFactory(
        slug="future-list", status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1)
    )
    with django_assert_max_num_queries(6):
        response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = {e.text for e in ElementTree.fromstring(response.content).iter(f"{ns}loc")}
    paths = {loc.split("://", 1)[1].split("/", 1)[1] for loc in locs}
    assert paths == {
        "releases/drive/",
        f"reviews/{review.slug}/",
        f"features/{feature.slug}/",
    }
