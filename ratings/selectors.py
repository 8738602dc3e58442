"""The public, read-only face of ratings for other apps (the shop reads it; ratings imports no shop)."""

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Aggregate, DecimalField

from catalogue.compiled import TEXT_MARK, PreparedSQL
from catalogue.selectors import SUMMARY_FIELDS, published_summary_query, summary_from_row
from ratings.models import ANSWER_CHOICES, ANSWER_VALUES, Answer, Tally, Vote


class Median(Aggregate):
    """The exact median of a numeric column: the mean of the lower and upper middle values.

    percentile_cont() would pass through double precision; two percentile_disc() keep it numeric.
    """

    template = (
        "(percentile_disc(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        " + percentile_disc(0.5) WITHIN GROUP (ORDER BY %(expressions)s DESC)) / 2"
    )
    output_field = DecimalField(max_digits=9, decimal_places=3)


def round_money(amount):
    return None if amount is None else Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)


def percentages(counts):
    """Whole percentages for counts that add up to exactly 100 (largest-remainder rounding).

    Ties in the remainders go to the answer listed first, so the result is stable.
    """
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [count * 100 / total for count in counts]
    floors = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (floors[i] - exact[i], i))
    for i in by_remainder[: 100 - sum(floors)]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class AnswerResult:
    answer: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class PollResults:
    answers: list[AnswerResult]
    total: int


def results_from_counts(counts):
    ordered = [counts.get(answer, 0) for answer in ANSWER_VALUES]
    return PollResults(
        answers=[
            AnswerResult(answer, label, count, percent)
            for (answer, label), count, percent in zip(
                ANSWER_CHOICES, ordered, percentages(ordered), strict=True
            )
        ],
        total=sum(ordered),
    )


def poll_results(release):
    """The four answers in poll order with counts and percentages (one query)."""
    tally = Tally.objects.filter(release=release).first()
    return results_from_counts(tally.counts() if tally else {})


@dataclass(frozen=True)
class ReaderPoll:
    """What the poll shows one reader: the release (its id, slug and title), the reader's vote
    (None if they have not voted) and the release's counts by answer."""

    release: object
    vote: Vote | None
    counts: dict


# The vote's columns the poll reads, after its id.
_READER_VOTE_FIELDS = ("answer", "would_pay")


@functools.cache
def _reader_poll():
    """reader_poll's statement, prepared on each connection: the catalogue's query of the
    published release with a slug, joined to the reader's vote and the release's tally."""
    release_sql, release_params = published_summary_query()
    voter = object()  # the mark for the reader's key
    quote = connection.ops.quote_name
    vote, tally = Vote._meta, Tally._meta
    vote_columns = ", ".join(
        f"v.{quote(vote.get_field(name).column)}" for name in ("id", *_READER_VOTE_FIELDS)
    )
    tally_columns = ", ".join(f"t.{quote(tally.get_field(name).column)}" for name in ANSWER_VALUES)
    return PreparedSQL(
        # Every name comes from the models; the values are placeholders.
        f"SELECT r.*, {vote_columns}, {tally_columns} FROM ({release_sql}) r "  # noqa: S608
        f"LEFT JOIN {quote(vote.db_table)} v "
        f"ON v.{quote(vote.get_field('release').column)} = r.id "
        f"AND v.{quote(vote.get_field('voter_key').column)} = %s "
        f"LEFT JOIN {quote(tally.db_table)} t ON t.{quote(tally.pk.column)} = r.id",
        [*release_params, voter],
        slug=TEXT_MARK,
        voter=voter,
    )


def reader_poll(slug, voter_key):
    """The ReaderPoll of the published release with this slug for the reader with this key (None
    for a reader without one), in one statement; None when no published release has the slug.

    A returning reader's cached release page fills its poll in from this (config.page_cache).
    Read as three statements the ORM compiled for every page (the release, the vote, the
    tally), the poll made that page cost five times a first-time visitor's (docs/performance.md).
    """
    with connection.cursor() as cursor:
        cursor.execute(*_reader_poll().execute_sql(connection, slug=slug, voter=voter_key))
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(SUMMARY_FIELDS)
    release = summary_from_row(row[:width])
    vote_id, answer, would_pay, *counts = row[width:]
    vote = None
    if vote_id is not None:
        vote = Vote(
            pk=vote_id, release=release, voter_key=voter_key, answer=answer, would_pay=would_pay
        )
    counts = dict(zip(ANSWER_VALUES, (count or 0 for count in counts), strict=True))
    return ReaderPoll(release=release, vote=vote, counts=counts)


def median_would_pay(release):
    median = Vote.objects.filter(
        release=release, answer=Answer.TOO_EXPENSIVE, would_pay__isnull=False
    ).aggregate(median=Median("would_pay"))["median"]
    return round_money(median)


def price_feedback(release):
    """What readers say about the price of a release.

    Returns {"votes": int, "too_expensive_share": Decimal | None (0-100, one decimal),
    "median_would_pay": Decimal | None}.
    """
    results = poll_results(release)
    if not results.total:
        return {"votes": 0, "too_expensive_share": None, "median_would_pay": None}
    too_expensive = next(r.count for r in results.answers if r.answer == Answer.TOO_EXPENSIVE)
    share = (Decimal(too_expensive) * 100 / results.total).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return {
        "votes": results.total,
        "too_expensive_share": share,
        "median_would_pay": median_would_pay(release),
    }
