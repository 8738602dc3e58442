"""Read-only questions about the catalogue that span several models."""

from django.db.models import IntegerField, Q, Value
from django.utils import timezone

from catalogue import hooks
from catalogue.models import COMPOSED_BY, Credit, Release, RiylEntry, Status

RELATED_LIMIT = 6


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
    cards = hooks.annotate_for_list(Release.objects.filter(pk__in=chosen).for_cards())
    by_pk = {card.pk: card for card in cards}
    return [by_pk[pk] for pk in chosen if pk in by_pk]
