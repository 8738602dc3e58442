"""A track credit's release column follows its track, however the rows are written."""

import pytest
from django.db import connection

from catalogue.models import Track, TrackArtist
from tests.factories import ArtistFactory, ReleaseFactory, TrackArtistFactory, TrackFactory
from tests.locks import second_waits_for_first

pytestmark = pytest.mark.django_db


def releases_of_credits(track):
    return set(TrackArtist.objects.filter(track=track).values_list("release_id", flat=True))


def test_credits_written_every_way_carry_their_tracks_release():
    release = ReleaseFactory()
    track = TrackFactory(release=release, position="A1")
    artist = ArtistFactory()
    TrackArtistFactory(track=track, artist=artist)
    TrackArtist.objects.bulk_create([TrackArtist(track=track, artist=artist, order=1)])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalogue_trackartist"
            ' (track_id, artist_id, credited_as, join_phrase, "order")'
            " VALUES (%s, %s, '', '', 2)",
            [track.pk, artist.pk],
        )
    assert releases_of_credits(track) == {release.pk}
    assert TrackArtist.objects.filter(track=track).count() == 3


def test_a_moved_track_takes_its_credits_along_and_a_wrong_release_is_put_right():
    first, second = ReleaseFactory(), ReleaseFactory()
    track = TrackFactory(release=first, position="A1")
    TrackArtistFactory(track=track)
    TrackArtistFactory(track=track, order=1)

    track.release = second
    track.save()
    assert releases_of_credits(track) == {second.pk}

    Track.objects.filter(pk=track.pk).update(release=first)  # a queryset update, no signals
    assert releases_of_credits(track) == {first.pk}

    TrackArtist.objects.filter(track=track).update(release=second)
    assert releases_of_credits(track) == {first.pk}


def test_artist_shelves_find_releases_through_track_credits(client):
    artist = ArtistFactory(slug="guest")
    release = ReleaseFactory(title="Guest Spot")
    TrackArtistFactory(track=TrackFactory(release=release, position="B2"), artist=artist)
    assert artist.release_ids_by_role() == (set(), {release.pk})
    assert "Guest Spot" in client.get("/artists/guest/").content.decode()


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_step", ["move the track", "credit an artist"])
def test_a_credit_written_while_its_track_moves_ends_on_the_new_release(first_step):
    """Whichever transaction goes first, the other waits for it, and the credit follows."""
    old, new = ReleaseFactory(), ReleaseFactory()
    track = TrackFactory(release=old, position="A1")
    artist = ArtistFactory()

    def move():
        Track.objects.filter(pk=track.pk).update(release=new)

    def credit():
        TrackArtist.objects.create(track=track, artist=artist)

    steps = (move, credit) if first_step == "move the track" else (credit, move)
    assert not second_waits_for_first(*steps)
    assert releases_of_credits(track) == {new.pk}
