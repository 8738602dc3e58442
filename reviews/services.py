"""Writes that span rows: rendering stored HTML and moving pieces between draft, scheduled, published."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalogue.models import Track
from reviews.models import Feature, FeatureEntry, Review, Status
from reviews.rendering import render_body

STATUS_FIELDS = ["status", "publish_at", "first_published_at", "updated_at"]


@transaction.atomic
def render_review(*, review):
    """Store the review's reader HTML and bump its revision; run after the body, releases or images change."""
    tracks = Track.objects.filter(release__in=review.releases.all()).select_related("release")
    body_html = render_body(review.body, tracks=tracks, images=review.images.all())
    Review.objects.filter(pk=review.pk).update(body_html=body_html, revision=F("revision") + 1)
    review.refresh_from_db(fields=["body_html", "revision"])
    return review


@transaction.atomic
def render_feature(*, feature):
    """Store the feature's intro and entry HTML and bump its revision."""
    entries = list(feature.entries.select_related("release"))
    tracks = list(
        Track.objects.filter(release__in=[e.release_id for e in entries if e.release_id])
        .select_related("release")
        .order_by("release_id", "side", "number")
    )
    for entry in entries:
        own = [t for t in tracks if t.release_id == entry.release_id]
        entry.text_html = render_body(entry.text, tracks=own)
    FeatureEntry.objects.bulk_update(entries, ["text_html"])
    intro_html = render_body(feature.intro, tracks=tracks)
    Feature.objects.filter(pk=feature.pk).update(intro_html=intro_html, revision=F("revision") + 1)
    feature.refresh_from_db(fields=["intro_html", "revision"])
    return feature


def _set_status(piece, status, publish_at=None):
    piece.set_status(status, publish_at)
    piece.save(update_fields=STATUS_FIELDS)
    return piece


def publish_piece(*, piece, at=None):
    """Make a review or feature visible from `at` (now by default)."""
    return _set_status(piece, Status.PUBLISHED, at or timezone.now())


def schedule_piece(*, piece, publish_at):
    """Let a review or feature appear by itself at a future publish time."""
    if publish_at is None or publish_at <= timezone.now():
        raise ValidationError(
            {"publish_at": "A scheduled piece needs a publish time in the future."},
            code="publish_time_past",
        )
    return _set_status(piece, Status.SCHEDULED, publish_at)


def unpublish_piece(*, piece):
    """Take a review or feature back to draft; readers no longer see it."""
    return _set_status(piece, Status.DRAFT)
