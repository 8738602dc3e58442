"""Read-only questions about the catalogue that span several models."""

import functools

from django.db.models import IntegerField, Q, Value
from django.utils import timezone

from catalogue import hooks
from catalogue.models import COMPOSED_BY, Credit, Release, RiylEntry, Status

RELATED_LIMIT = 6


def cards(queryset, *extra_fields):
    """A release queryset ready for cards, with what other apps add to them."""
    return hooks.annotate_for_list(queryset.for_cards(*extra_fields))


def card_queryset(*extra_fields):
    """Every release as cards, to be filtered by ids: built once a day per process.

    Assembling the cards' subqueries and the other apps' annotations costs more CPU than running
    the query for a page of releases (about 7 ms against 3), and nothing in it depends on the
    request: only ``today`` (the "pre-order" badge, "in stock") changes it.
    """
    return _card_queryset(timezone.localdate(), extra_fields)


@functools.lru_cache(maxsize=8)
def _card_queryset(today, extra_fields):
    return cards(Release.objects.all(), *extra_fields)


def cards_in_order(ids, *extra_fields):
    """The cards of the releases ``ids``, in that order, in one query."""
    ids = list(ids)
    if not ids:
        return []
    found = card_queryset(*extra_fields).filter(pk__in=ids).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def related_releases(release, limit=RELATED_LIMIT):
    """Published releases near this one: same film first, then same composer, then RIYL overlap.

    Two queries whatever the release: one UNION of capped candidate lists, one for the cards.
    Reads the release's prefetched ``credits`` and ``riyl``.
    """
    composer_ids = {
        c.artist_id for c in release.credits.all() if c.role.name == COMPOSED_BY and not c.track_id
    }
    riyl_ids = {entry.artist_id for entry in release.riyl.all() if entry.artist_id}
    public = Q(release__status=Status.PUBLISHED, release__published_at__lte=timezone.now())

    def candidates(queryset, column, reason):
        return (
            queryset.exclude(**{column: release.pk})
            .annotate(reason=Value(reason, output_field=IntegerField()))
            .values_list(column, "reason")
            .order_by()[: limit * 2]
        )

    parts = []
    if release.film_id:
        parts.append(
            candidates(Release.objects.published().filter(film_id=release.film_id), "pk", 1)
        )
    if composer_ids:
        composed = Credit.objects.filter(public, artist_id__in=composer_ids, role__name=COMPOSED_BY)
        parts.append(candidates(composed, "release_id", 2))
    if riyl_ids:
        shared_riyl = RiylEntry.objects.filter(public, artist_id__in=riyl_ids)
        by_riyl_artist = Credit.objects.filter(public, artist_id__in=riyl_ids, track__isnull=True)
        parts.append(candidates(shared_riyl, "release_id", 3))
        parts.append(candidates(by_riyl_artist, "release_id", 3))
    if not parts:
        return []
    rows = parts[0].union(*parts[1:], all=True).order_by("reason") if len(parts) > 1 else parts[0]
    ranked = {}
    for pk, reason in rows:
        ranked.setdefault(pk, reason)
    chosen = list(ranked)[:limit]
    if not chosen:
        return []
    return cards_in_order(chosen)
