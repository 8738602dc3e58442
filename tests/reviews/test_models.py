from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from reviews.models import Feature, FeatureEntry, Review, ReviewVideo, Status
from tests.factories import FeatureFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_published_includes_published_and_due_scheduled_pieces_only():
    now = timezone.now()
    live = ReviewFactory(status=Status.PUBLISHED, publish_at=now - timedelta(minutes=1))
    due = ReviewFactory(status=Status.SCHEDULED, publish_at=now - timedelta(seconds=1))
    ReviewFactory(status=Status.SCHEDULED, publish_at=now + timedelta(minutes=5))
    ReviewFactory(status=Status.PUBLISHED, publish_at=now + timedelta(days=1))
    ReviewFactory(status=Status.DRAFT, publish_at=now - timedelta(days=1))
    ReviewFactory(status=Status.DRAFT, publish_at=None)
    assert set(Review.objects.published()) == {live, due}


def test_scheduled_piece_appears_when_its_time_comes():
    feature = FeatureFactory(
        status=Status.SCHEDULED, publish_at=timezone.now() + timedelta(minutes=5)
    )
    assert not Feature.objects.published().exists()
    assert not feature.is_public
    Feature.objects.filter(pk=feature.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert list(Feature.objects.published()) == [feature]


def test_database_refuses_a_visible_piece_without_publish_time():
    with pytest.raises(IntegrityError):
        ReviewFactory(status=Status.SCHEDULED, publish_at=None)


def test_byline_joins_display_names():
    review = ReviewFactory()
    names = [a.display_name for a in review.authors.all()]
    assert review.byline == ", ".join(names)


def test_set_status_stamps_first_published_until_readers_have_seen_it():
    review = ReviewFactory(status=Status.DRAFT, publish_at=None, first_published_at=None)
    later = timezone.now() + timedelta(hours=2)
    review.set_status(Status.SCHEDULED, later)
    assert review.first_published_at == later
    earlier = timezone.now() + timedelta(hours=1)
    review.set_status(Status.SCHEDULED, earlier)
    assert review.first_published_at == earlier
    past = timezone.now() - timedelta(days=3)
    review.first_published_at = past
    review.set_status(Status.PUBLISHED, timezone.now())
    assert review.first_published_at == past


@pytest.mark.parametrize(
    ("url", "provider", "video_id"),
    [
        ("https://www.youtube.com/watch?v=bSdvSXJblzk", "youtube", "bSdvSXJblzk"),
        ("https://youtu.be/bSdvSXJblzk", "youtube", "bSdvSXJblzk"),
        ("bSdvSXJblzk", "youtube", "bSdvSXJblzk"),
        ("https://vimeo.com/76979871", "vimeo", "76979871"),
    ],
)
def test_video_links_are_stored_as_provider_and_id(url, provider, video_id):
    video = ReviewVideo(review=ReviewFactory(), video_url=url)
    video.full_clean()
    assert (video.video_provider, video.video_id) == (provider, video_id)
    assert video.embed.src.startswith(
        ("https://www.youtube-nocookie.com/", "https://player.vimeo.com/")
    )


def test_video_from_unknown_provider_is_refused():
    video = ReviewVideo(review=ReviewFactory(), video_url="https://evil.test/watch?v=1")
    with pytest.raises(ValidationError) as error:
        video.full_clean()
    assert "Only YouTube and Vimeo" in str(error.value.message_dict["video_url"])


def test_hero_image_needs_alt_text():
    review = ReviewFactory.build(hero_image="magazine/x.png", hero_alt="")
    with pytest.raises(ValidationError) as error:
        review.clean()
    assert "hero_alt" in error.value.message_dict


def test_feature_entry_must_name_something():
    entry = FeatureEntry(feature=FeatureFactory(), release=None, film=None, title="")
    with pytest.raises(ValidationError):
        entry.full_clean()
    entry.title = "Manhattan (1979)"
    entry.full_clean()
    assert entry.display_heading == "Manhattan (1979)"
