"""Writes to the poll. Every function keeps Tally equal to the stored votes in one transaction.

Locks are always taken in the same order (the reader's vote row, then the address lock, then the
release's tally row), so concurrent votes, changes, withdrawals and merges cannot deadlock.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from catalogue.compiled import TEXT_MARK, PreparedSQL
from catalogue.selectors import SUMMARY_FIELDS, published_summary_query, summary_from_row
from ratings.models import ANSWER_VALUES, Answer, Tally, Vote
from ratings.voters import address_lock_keys


class PollRefused(Exception):
    """A vote the poll will not count; str(error) is the message for the reader."""


class AddressRateLimited(PollRefused):
    pass


class NoVote(PollRefused):
    pass


def _lower_tally(release_id, answer):
    """Take one vote off an answer's count (a withdrawal, or a merge dropping a duplicate)."""
    Tally.objects.filter(release_id=release_id).update(**{answer: F(answer) - 1})


def _locked_vote(release, voter_key):
    return Vote.objects.select_for_update().filter(release=release, voter_key=voter_key).first()


@dataclass(frozen=True)
class CastVote:
    """A vote as stored, and the release's counts right after it."""

    vote: Vote
    counts: dict


# ratings_cast_vote's arguments after the release, by name (_cast_vote_params gives their values).
_CAST_VOTE_MARKS = ("voter_key", "answer", "address", "lock_space", "lock_key", "limit", "now")
_CAST_VOTE_ARGUMENTS = ", ".join(["%s"] * len(_CAST_VOTE_MARKS))


def _cast_vote_params(voter_key, answer, address_hash, now):
    """ratings_cast_vote's arguments after the release, by the names of _CAST_VOTE_MARKS."""
    values = (
        voter_key,
        answer.value,
        address_hash,
        *address_lock_keys("ratings.address", address_hash),
        settings.POLL_RATE_PER_ADDRESS,
        now,
    )
    return dict(zip(_CAST_VOTE_MARKS, values, strict=True))


def cast_vote(*, release, voter_key, answer, address_hash, now=None):
    """Record a reader's answer. A second vote replaces the first. Returns a CastVote.

    A new vote counts against the client address's hourly limit (POLL_RATE_PER_ADDRESS); the
    count runs under a per-address lock, so concurrent voters cannot overshoot it. The steps run
    in the database function ratings_cast_vote (see the migrations that create it): one round
    trip, so the locks are held as briefly as possible on release day. Its transaction commits
    without waiting for the disk (ratings/migrations/0004_cast_vote_async_commit.py): call it
    outside any other transaction, whose writes must not share that.
    """
    answer = Answer(answer)
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM ratings_cast_vote(%s, {_CAST_VOTE_ARGUMENTS})",  # noqa: S608 (placeholders only)
            [release.pk, *_cast_vote_params(voter_key, answer, address_hash, now).values()],
        )
        row = cursor.fetchone()
    return _outcome(row, release, voter_key, address_hash, now)


@dataclass(frozen=True)
class SlugVote:
    """cast_vote_by_slug's answer: the release, and either the vote or why it was refused."""

    release: object
    cast: CastVote | None
    refused: PollRefused | None


@functools.cache
def _vote_by_slug():
    """cast_vote_by_slug's statement, prepared on each connection: the catalogue's query of the
    published release with a slug, and ratings_cast_vote on the release it finds."""
    release_sql, release_params = published_summary_query()
    marks = {name: object() for name in _CAST_VOTE_MARKS}  # each stands for one value
    return PreparedSQL(
        # The release's query is the catalogue's compiled SQL, and the rest placeholders.
        f"SELECT r.*, v.* FROM ({release_sql}) r LEFT JOIN LATERAL "  # noqa: S608
        f"ratings_cast_vote(r.id, {_CAST_VOTE_ARGUMENTS}) v ON true",
        [*release_params, *marks.values()],
        slug=TEXT_MARK,
        **marks,
    )


def cast_vote_by_slug(*, slug, voter_key, answer, address_hash, now=None):
    """cast_vote on the published release with this slug, found in the same statement: a vote
    is one round trip in all. Returns a SlugVote, or None when no published release has the slug.
    """
    answer = Answer(answer)
    now = now or timezone.now()
    width = len(SUMMARY_FIELDS)
    params = _cast_vote_params(voter_key, answer, address_hash, now)
    with connection.cursor() as cursor:
        cursor.execute(*_vote_by_slug().execute_sql(connection, slug=slug, **params))
        row = cursor.fetchone()
    if row is None:
        return None
    release = summary_from_row(row[:width])
    vote_row = None if row[width] is None else row[width:]
    try:
        cast = _outcome(vote_row, release, voter_key, address_hash, now)
    except PollRefused as refused:
        return SlugVote(release=release, cast=None, refused=refused)
    return SlugVote(release=release, cast=cast, refused=None)


def _outcome(row, release, voter_key, address_hash, now):
    """The CastVote of a ratings_cast_vote row, or the PollRefused it stands for."""
    if row is None:
        raise PollRefused("Your vote could not be counted just now: please try again.")
    outcome, vote_id, stored_answer, would_pay, *counts = row
    if outcome == "address_limited":
        limit = settings.POLL_RATE_PER_ADDRESS
        raise AddressRateLimited(
            f"Your vote was not counted: {limit} votes have already come from your network "
            "in the last hour. Please try again later."
        )
    if outcome == "busy":
        raise PollRefused("Your vote changed in another window at the same moment: try again.")
    vote = Vote(
        pk=vote_id,
        release=release,
        voter_key=voter_key,
        answer=stored_answer,
        would_pay=would_pay,
        address_hash=address_hash,
        updated_at=now,
    )
    return CastVote(
        vote=vote,
        counts=dict(zip(ANSWER_VALUES, counts, strict=True)),
    )


@transaction.atomic
def withdraw_vote(*, release, voter_key):
    """Remove the reader's vote, if any. Returns whether there was one."""
    vote = _locked_vote(release, voter_key)
    if vote is None:
        return False
    vote.delete()
    _lower_tally(release.pk, vote.answer)
    return True


@transaction.atomic
def set_would_pay(*, release, voter_key, amount):
    """Store the reader's "What would you pay?" answer (None clears it) on their Too Expensive vote."""
    vote = _locked_vote(release, voter_key)
    if vote is None or vote.answer != Answer.TOO_EXPENSIVE:
        raise NoVote('"What would you pay?" follows a "Too Expensive" vote: vote that first.')
    vote.would_pay = amount
    vote.updated_at = timezone.now()
    vote.save(update_fields=["would_pay", "updated_at"])
    return vote


@transaction.atomic
def merge_votes(*, from_key, to_key):
    """Move the votes of one reader key to another (a cookie's votes to the account on login).

    Where both keys voted on a release, the more recent answer is the reader's opinion and stays.
    """
    moving = list(
        Vote.objects.select_for_update().filter(voter_key=from_key).order_by("release_id")
    )
    for vote in moving:
        kept = _locked_vote(vote.release_id, to_key)
        if kept is not None and kept.updated_at >= vote.updated_at:
            vote.delete()
            _lower_tally(vote.release_id, vote.answer)
            continue
        if kept is not None:
            kept.delete()
            _lower_tally(vote.release_id, kept.answer)
        vote.voter_key = to_key
        vote.save(update_fields=["voter_key"])
    return len(moving)


@transaction.atomic
def recount_tallies(*, releases=None):
    """Rebuild tallies from the stored votes (after votes were written outside these services)."""
    votes = Vote.objects.all()
    tallies = Tally.objects.all()
    if releases is not None:
        ids = [release.pk for release in releases]
        votes = votes.filter(release_id__in=ids)
        tallies = tallies.filter(release_id__in=ids)
    counted = {}
    for row in votes.values("release_id", "answer").annotate(n=Count("id")).order_by():
        counted.setdefault(row["release_id"], {})[row["answer"]] = row["n"]
    tallies.exclude(release_id__in=counted).delete()
    Tally.objects.bulk_create(
        [
            Tally(release_id=release_id, **{a: counts.get(a, 0) for a in Answer.values})
            for release_id, counts in counted.items()
        ],
        update_conflicts=True,
        unique_fields=["release"],
        update_fields=Answer.values,
    )
