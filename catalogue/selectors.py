"""Read-only questions about the catalogue that span several models."""

import functools

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalogue import hooks
from catalogue.compiled import ID_MARK, TEXT_MARK, CompiledQuery, id_marks, run_for_ids
from catalogue.models import COMPOSED_BY, Release
from catalogue.prefetch import listed

RELATED_LIMIT = 6


def cards(queryset, *extra_fields):
    """A release queryset ready for cards, with what other apps add to them."""
    return hooks.annotate_for_list(queryset.for_cards(*extra_fields))


@functools.lru_cache(maxsize=8)
def _card_queryset(today, extra_fields):
    """Every release as cards, to be filtered by ids: built once a day per process.

    Assembling the cards' subqueries and the other apps' annotations costs more CPU than running
    the query for a page of releases (about 7 ms against 3), and nothing in it depends on the
    request: only ``today`` (the "pre-order" badge, "in stock") changes it.
    """
    return cards(Release.objects.all(), *extra_fields)


def cards_in_order(ids, *extra_fields):
    """The cards of the releases ``ids``, in that order, in one query."""
    ids = list(ids)
    query_for_count = functools.partial(_compiled_cards, timezone.localdate(), extra_fields)
    found = {card.pk: card for card in run_for_ids(query_for_count, ids)}
    return [found[pk] for pk in ids if pk in found]


@functools.lru_cache(maxsize=128)
def _compiled_cards(today, extra_fields, count):
    """The cards query for ``count`` ids, compiled once a day per process (catalogue/compiled.py):
    compiling it took 0.8 ms of CPU, four times as long as running it."""
    marks = id_marks(count)
    queryset = _card_queryset(today, extra_fields).filter(pk__in=marks.values()).order_by()
    return CompiledQuery(queryset, **marks)


# In the model's own order, as the compiled query selects them and Model.from_db() reads them.
SUMMARY_FIELDS = tuple(
    f.attname for f in Release._meta.concrete_fields if f.attname in {"id", "slug", "title"}
)


@functools.cache
def _published_summary():
    """ "The published release with this slug", its SUMMARY_FIELDS only, compiled once per process
    from Release.objects.published(), so "published" keeps its one definition."""
    queryset = Release.objects.published().filter(slug=TEXT_MARK).only(*SUMMARY_FIELDS)
    return CompiledQuery(queryset, slug=TEXT_MARK)


def published_summary_query():
    """(sql, params) of a query whose one row, if any, is the published release with a slug:
    its SUMMARY_FIELDS, in that order. The slug's parameter is catalogue.compiled.TEXT_MARK: another
    app may run the query inside its own statement, as a catalogue.compiled.PreparedSQL."""
    compiled = _published_summary()
    return compiled.sql, list(compiled.params)


def summary_from_row(row):
    """A Release from a row of published_summary_query (the other fields load on first access)."""
    return Release.from_db(connection.alias, SUMMARY_FIELDS, row)


def published_release_summary(slug):
    """The published release with this slug, only its id, slug and title loaded; None if none.

    For the poll's write path, where a queryset's get() took 0.5 ms of CPU to build and compile
    against 0.05 ms to run (docs/performance.md).
    """
    found = _published_summary().run(slug=slug)
    return found[0] if found else None


# Same film first, then same composer, then RIYL overlap: catalogue/migrations/0008, which runs
# the four capped lists from plans kept for the connection, and 0010, which runs a list only while
# fewer than the releases wanted have been found.
# The first ``wanted`` distinct releases of those lists, each with its first place in them.
_CHOSEN_SQL = (
    "WITH chosen AS MATERIALIZED ("
    "SELECT related.release_id, min(related.n) AS first FROM catalogue_related_releases("
    "%s::bigint, %s::bigint, %s::bigint[], %s::text, %s::bigint[], %s::integer, %s::integer"
    ") WITH ORDINALITY AS related(release_id, reason, n) "
    "GROUP BY related.release_id ORDER BY first LIMIT %s) "
)
_FILM, _RELEASE, _COMPOSERS, _RIYL = ID_MARK, ID_MARK - 1, [ID_MARK - 2], [ID_MARK - 3]


@functools.lru_cache(maxsize=8)
def _related_cards(today, limit):
    """The related releases' cards, in their order, in one statement: the lists' function in a
    WITH clause, the cards query (compiled once a day per process, as cards_in_order's) reading
    the releases it chose. Two statements before: the ids, then their cards."""
    chosen_first = RawSQL(
        '(SELECT chosen.first FROM chosen WHERE chosen.release_id = "catalogue_release"."id")', []
    )
    queryset = (
        _card_queryset(today, ())
        .filter(pk__in=RawSQL("SELECT chosen.release_id FROM chosen", []))
        .order_by(chosen_first.asc())
    )
    lists = [_FILM, _RELEASE, _COMPOSERS, COMPOSED_BY, _RIYL, limit * 2, limit, limit]
    return CompiledQuery(
        queryset,
        with_clause=(_CHOSEN_SQL, lists),
        film=_FILM,
        release=_RELEASE,
        composers=_COMPOSERS,
        riyl=_RIYL,
    )


def related_releases(release, limit=RELATED_LIMIT):
    """Published releases near this one: same film first, then same composer, then RIYL overlap.

    One statement whatever the release: the capped candidate lists and their cards.
    Reads the release's prefetched ``credits`` and ``riyl``.
    """
    composer_ids = sorted({c.artist_id for c in release.composers()})
    riyl_ids = sorted({entry.artist_id for entry in listed(release, "riyl") if entry.artist_id})
    if not (release.film_id or composer_ids or riyl_ids):
        return []
    return _related_cards(timezone.localdate(), limit).run(
        film=release.film_id, release=release.pk, composers=composer_ids, riyl=riyl_ids
    )
