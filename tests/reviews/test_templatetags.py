from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from reviews.models import Status
from tests.factories import ReleaseFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load reviews %}" + source).render(Context(context))


def test_release_reviews_shows_published_reviews_and_pull_quotes(django_assert_max_num_queries):
    release = ReleaseFactory()
    review = ReviewFactory(releases=[release], headline="Glass and steel", pull_quote="Pure neon.")
    ReviewFactory(releases=[release], headline="Unfinished", status=Status.DRAFT, publish_at=None)
    ReviewFactory(headline="About another record")
    with django_assert_max_num_queries(2):
        html = render("{% release_reviews release %}", release=release)
    assert "Glass and steel" in html
    assert review.standfirst in html
    assert review.byline in html
    assert review.get_absolute_url() in html
    assert "“Pure neon.”" in html
    assert "Unfinished" not in html
    assert "About another record" not in html


def test_release_reviews_renders_nothing_without_reviews():
    assert render("{% release_reviews release %}", release=ReleaseFactory()).strip() == ""


def test_latest_reviews_shows_the_newest_published(django_assert_max_num_queries):
    now = timezone.now()
    for days in range(5):
        ReviewFactory(headline=f"Piece {days}", publish_at=now - timedelta(days=days))
    ReviewFactory(headline="Tomorrow", status=Status.SCHEDULED, publish_at=now + timedelta(days=1))
    with django_assert_max_num_queries(3):
        html = render("{% latest_reviews 3 %}")
    assert html.index("Piece 0") < html.index("Piece 1") < html.index("Piece 2")
    assert "Piece 3" not in html
    assert "Tomorrow" not in html


def test_release_page_and_home_page_show_reviews(client):
    release = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    ReviewFactory(releases=[release], headline="On the release page", pull_quote="A quote.")
    assert "On the release page" in client.get(release.get_absolute_url()).content.decode()
    assert "On the release page" in client.get("/").content.decode()


def test_a_release_page_reads_whether_there_are_reviews_with_the_release(
    client, django_assert_num_queries
):
    """The release's own row says whether it has published reviews (reviews/apps.py): a page
    without any sends no reviews statement; a review published a moment ago shows at once."""
    from catalogue.views import ReleaseDetailView

    release = ReleaseFactory()
    ReviewFactory(releases=[release], headline="Not yet", status=Status.DRAFT, publish_at=None)

    def page_release():
        view = ReleaseDetailView()
        view.kwargs = {"slug": release.slug}
        return view.get_object()

    loaded = page_release()
    assert loaded.has_published_reviews is False
    with django_assert_num_queries(0):
        assert render("{% release_reviews release %}", release=loaded).strip() == ""
    ReviewFactory(releases=[release], headline="Just out", publish_at=timezone.now())
    loaded = page_release()
    assert loaded.has_published_reviews is True
    assert "Just out" in render("{% release_reviews release %}", release=loaded)
    assert "Just out" in client.get(release.get_absolute_url()).content.decode()
