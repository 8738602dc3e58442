from datetime import timedelta

import pytest
from django.utils import timezone

from catalogue.models import Release, Status, parse_position
from tests.factories import ReleaseFactory


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("A1", ("A", 1)),
        ("b12", ("B", 12)),
        ("1-3", ("1", 3)),
        ("7", ("", 7)),
        ("AA2", ("AA", 2)),
        ("A", ("A", 0)),
    ],
)
def test_sleeve_positions_split_into_side_and_number(position, expected):
    assert parse_position(position) == expected


@pytest.mark.parametrize("position", ["", "A-1", "1-", "ZZZ9", "4:7x"])
def test_malformed_positions_are_rejected(position):
    assert parse_position(position) is None


@pytest.mark.django_db
def test_a_queryset_built_before_publication_still_sees_it():
    published = Release.objects.published()  # built now, evaluated later, like a view's queryset
    release = ReleaseFactory(status=Status.PUBLISHED, published_at=timezone.now())
    assert list(published) == [release]


@pytest.mark.django_db
def test_drafts_and_future_releases_are_not_public():
    ReleaseFactory(status=Status.DRAFT, published_at=None)
    ReleaseFactory(status=Status.PUBLISHED, published_at=timezone.now() + timedelta(hours=1))
    assert not Release.objects.published().exists()
