from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviews import services
from reviews.models import Review, ReviewImage, Status
from tests.factories import (
    FeatureEntryFactory,
    FeatureFactory,
    ReleaseFactory,
    ReviewFactory,
    TrackFactory,
)

from .conftest import png

pytestmark = pytest.mark.django_db


def draft_review(**kwargs):
    return ReviewFactory(status=Status.DRAFT, publish_at=None, first_published_at=None, **kwargs)


def test_schedule_then_time_passes_then_visible():
    review = draft_review()
    services.schedule_piece(piece=review, publish_at=timezone.now() + timedelta(minutes=5))
    review.refresh_from_db()
    assert review.status == Status.SCHEDULED
    assert not Review.objects.published().exists()
    Review.objects.filter(pk=review.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert list(Review.objects.published()) == [review]


def test_schedule_in_the_past_is_refused_and_changes_nothing():
    review = draft_review()
    with pytest.raises(ValidationError):
        services.schedule_piece(piece=review, publish_at=timezone.now() - timedelta(minutes=1))
    review.refresh_from_db()
    assert review.status == Status.DRAFT
    assert review.publish_at is None


def test_publish_and_unpublish():
    review = draft_review()
    services.publish_piece(piece=review)
    assert Review.objects.published().get() == review
    first = Review.objects.get().first_published_at
    assert first is not None
    services.unpublish_piece(piece=review)
    assert not Review.objects.published().exists()
    services.publish_piece(piece=review)
    assert Review.objects.get().first_published_at == first


def test_render_review_links_tracks_of_reviewed_releases_and_bumps_revision():
    release = ReleaseFactory(slug="drive")
    TrackFactory(release=release, position="B2", title="I Drive")
    other = TrackFactory(position="B3", title="Elsewhere")
    review = draft_review(releases=[release], body="[[I Drive]] not [[Elsewhere]]")
    ReviewImage.objects.create(review=review, image=png(), alt="Sleeve", order=1)
    services.render_review(review=review)
    stored = Review.objects.get()
    assert 'href="/releases/drive/#track-b2"' in stored.body_html
    assert other.release.slug not in stored.body_html
    assert 'alt="Sleeve"' in stored.body_html
    assert stored.revision == 1
    services.render_review(review=review)
    assert Review.objects.get().revision == 2


def test_render_feature_renders_intro_and_each_entry_with_its_own_tracks():
    feature = FeatureFactory(intro="**Six** records")
    entry = FeatureEntryFactory(feature=feature, text="Play [[track:A1]]")
    TrackFactory(release=entry.release, position="A1", title="Opening")
    services.render_feature(feature=feature)
    entry.refresh_from_db()
    feature.refresh_from_db()
    assert "<strong>Six</strong>" in feature.intro_html
    assert f'href="/releases/{entry.release.slug}/#track-a1"' in entry.text_html
    assert ">Opening</a>" in entry.text_html
    assert feature.revision == 1
