"""Writes that span rows or models: publishing, artist credits, RIYL links."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalogue.models import Artist, Release, RiylEntry, Status, TrackArtist


@transaction.atomic
def publish_releases(*, releases):
    """Publish the releases; one published before keeps its first publication date."""
    now = timezone.now()
    ids = list(releases.values_list("pk", flat=True))
    Release.objects.filter(pk__in=ids, published_at__isnull=True).update(published_at=now)
    return (
        Release.objects.filter(pk__in=ids)
        .exclude(status=Status.PUBLISHED)
        .update(status=Status.PUBLISHED, updated_at=now)
    )


@transaction.atomic
def unpublish_releases(*, releases):
    """Take the releases off the site; they stay in the admin as drafts."""
    ids = list(releases.values_list("pk", flat=True))
    return (
        Release.objects.filter(pk__in=ids)
        .exclude(status=Status.DRAFT)
        .update(status=Status.DRAFT, updated_at=timezone.now())
    )


def find_or_create_artist(*, name):
    """The artist whose slug matches the name, created when the catalogue has none yet."""
    name = name.strip()
    slug = slugify(name)[:200]
    if not slug:
        raise ValueError(f'"{name}" is not a usable artist name')
    artist, created = Artist.objects.get_or_create(slug=slug, defaults={"name": name[:200]})
    return artist, created


@transaction.atomic
def set_track_artists(*, track, credit):
    """Replace a track's artist credit with (name, credited_as, join_phrase) triples, in order.

    Returns the artists created because the catalogue did not know them.
    """
    track.artist_credit.all().delete()
    created_artists = []
    rows = []
    for order, (name, credited_as, join_phrase) in enumerate(credit):
        artist, created = find_or_create_artist(name=name)
        if created:
            created_artists.append(artist)
        rows.append(
            TrackArtist(
                track=track,
                artist=artist,
                credited_as=credited_as,
                join_phrase=join_phrase,
                order=order,
            )
        )
    TrackArtist.objects.bulk_create(rows)
    return created_artists


def link_riyl_entries():
    """Point plain-text RIYL names at the catalogue's artist of the same slug, once one exists."""
    linked = 0
    entries = RiylEntry.objects.filter(artist__isnull=True).exclude(name="")
    by_slug = {}
    for entry in entries:
        by_slug.setdefault(slugify(entry.name), []).append(entry.pk)
    artists = Artist.objects.filter(slug__in=by_slug).values_list("slug", "pk")
    for slug, artist_id in artists:
        linked += RiylEntry.objects.filter(pk__in=by_slug[slug]).update(artist=artist_id, name="")
    return linked
