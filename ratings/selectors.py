"""The public, read-only face of ratings for other apps (the shop reads it; ratings imports no shop)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Aggregate, DecimalField

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
