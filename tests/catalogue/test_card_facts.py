"""A card's composer and badges, kept on the release's row, follow the credits, artists and
pressings they come from, however written (catalogue/migrations/0009)."""

import pytest
from django.db import connection
from django.utils import timezone

from catalogue.models import COMPOSED_BY, Credit, Pressing, Release
from catalogue.selectors import cards_in_order
from tests.factories import (
    ArtistFactory,
    CreditFactory,
    PressingFactory,
    ReleaseFactory,
    RoleFactory,
    TrackFactory,
)
from tests.locks import second_waits_for_first

pytestmark = pytest.mark.django_db


def card(release):
    (shown,) = cards_in_order([release.pk])
    return shown.composer_name, bool(shown.has_limited), bool(shown.has_preorder)


@pytest.fixture
def composed_by():
    return RoleFactory(name=COMPOSED_BY)


def test_the_composer_follows_credits_artists_and_roles(composed_by):
    release, other = ReleaseFactory(), ReleaseFactory()
    assert card(release) == ("", False, False)
    cliff = ArtistFactory(name="Cliff Martinez")
    CreditFactory(release=release, artist=ArtistFactory(name="Second"), role=composed_by, order=2)
    assert card(release)[0] == "Second"
    first = CreditFactory(release=release, artist=cliff, role=composed_by, order=1)
    assert card(release)[0] == "Cliff Martinez"
    # A producer credit, or a composer credit on one track, is not the release's composer.
    CreditFactory(
        release=release,
        artist=ArtistFactory(name="Producer"),
        role=RoleFactory(name="Producer"),
        order=0,
    )
    CreditFactory(
        release=release,
        artist=ArtistFactory(name="Track Only"),
        role=composed_by,
        order=0,
        track=TrackFactory(release=release),
    )
    assert card(release)[0] == "Cliff Martinez"

    first.credited_as = "C. Martinez"
    first.save()
    assert card(release)[0] == "C. Martinez"
    first.credited_as = ""
    first.save()
    cliff.name = "Clifford Martinez"
    cliff.save()
    assert card(release)[0] == "Clifford Martinez"

    first.release = other  # moved: both releases change
    first.save()
    assert card(release)[0] == "Second"
    assert card(other)[0] == "Clifford Martinez"

    composed_by.name = "Written By"  # no longer the composer's role
    composed_by.save()
    assert card(release)[0] == card(other)[0] == ""
    composed_by.name = COMPOSED_BY
    composed_by.save()
    assert card(other)[0] == "Clifford Martinez"

    Credit.objects.filter(release=other).delete()
    assert card(other)[0] == ""
    assert card(release)[0] == "Second"


def test_the_badges_follow_the_pressings():
    release = ReleaseFactory()
    today = timezone.localdate()
    plain = PressingFactory(release=release, edition_size=None, release_date=None)
    assert card(release) == ("", False, False)
    plain.edition_size = 500
    plain.save()
    assert card(release) == ("", True, False)
    later = PressingFactory(release=release, release_date=today + timezone.timedelta(days=3))
    assert card(release)[2]
    later.release_date = today  # out today: no longer a pre-order
    later.save()
    assert not card(release)[2]
    Pressing.objects.filter(pk=plain.pk).delete()
    assert card(release) == ("", False, False)


def test_bulk_writes_plain_sql_and_stale_saves_keep_them_too(composed_by):
    releases = ReleaseFactory.create_batch(3)
    artist = ArtistFactory(name="Vangelis")
    Credit.objects.bulk_create(Credit(release=r, artist=artist, role=composed_by) for r in releases)
    assert [card(r)[0] for r in releases] == ["Vangelis"] * 3
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_artist SET name = 'Evangelos' WHERE id = %s", [artist.pk])
    assert [card(r)[0] for r in releases] == ["Evangelos"] * 3
    stale = Release.objects.get(pk=releases[0].pk)
    Credit.objects.filter(release=releases[0]).delete()
    stale.title = "Blade Runner"
    stale.card_composer = "Evangelos"
    stale.save()
    assert card(releases[0])[0] == ""
    Release.objects.filter(pk=releases[1].pk).update(card_composer="Someone Else")
    assert card(releases[1])[0] == "Evangelos"


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_editors_crediting_composers_at_once_leave_the_first_in_order(composed_by):
    """The second writer waits for the first's lock on the release, then sees its credit too."""
    release = ReleaseFactory()
    late, early = ArtistFactory(name="Late"), ArtistFactory(name="Early")

    def credit(artist, order):
        return lambda: Credit.objects.create(
            release=release, artist=artist, role=composed_by, order=order
        )

    assert not second_waits_for_first(credit(late, 2), credit(early, 1))
    assert card(release)[0] == "Early"
