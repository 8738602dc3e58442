"""Writes to the poll. Every function keeps Tally equal to the stored votes in one transaction.

Locks are always taken in the same order (the reader's vote row, then the address lock, then the
release's tally row), so concurrent votes, changes, withdrawals and merges cannot deadlock.
"""

import zlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from ratings.models import Answer, Tally, Vote


class PollRefused(Exception):
    """A vote the poll will not count; str(error) is the message for the reader."""


class AddressRateLimited(PollRefused):
    pass


class NoVote(PollRefused):
    pass


# Namespaces the two-key advisory locks of ratings apart from any other app's.
_ADDRESS_LOCK_SPACE = zlib.crc32(b"ratings.address") - 2**31


def _lock_address(address_hash):
    """Serialise the new votes of one client address until the transaction ends."""
    key = int(address_hash[:8], 16) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_ADDRESS_LOCK_SPACE, key])


def _check_address_rate(address_hash, now):
    limit = settings.POLL_RATE_PER_ADDRESS
    recent = Vote.objects.filter(
        address_hash=address_hash, created_at__gt=now - timedelta(hours=1)
    ).count()
    if recent >= limit:
        raise AddressRateLimited(
            f"Your vote was not counted: {limit} votes have already come from your network "
            "in the last hour. Please try again later."
        )


def _move_tally(release_id, *, down=None, up=None):
    """Move one vote between the release's counts in one statement.

    A first vote creates the tally row with INSERT ... ON CONFLICT, so concurrent first votes
    cannot race; a change or withdrawal has a vote behind it, hence a row to update.
    """
    if down == up or not (down or up):
        return
    if down:
        changes = {down: F(down) - 1}
        if up:
            changes[up] = F(up) + 1
        Tally.objects.filter(release_id=release_id).update(**changes)
        return
    table = Tally._meta.db_table
    columns = Answer.values
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (release_id, {', '.join(columns)}) "  # noqa: S608 (our own column names)
            f"VALUES (%s, {', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT (release_id) DO UPDATE SET {up} = {table}.{up} + 1",
            [release_id, *(1 if column == up else 0 for column in columns)],
        )


def _locked_vote(release, voter_key):
    return Vote.objects.select_for_update().filter(release=release, voter_key=voter_key).first()


@transaction.atomic
def cast_vote(*, release, voter_key, answer, address_hash, now=None):
    """Record a reader's answer. A second vote replaces the first.

    A new vote counts against the client address's hourly limit (POLL_RATE_PER_ADDRESS); the
    count runs under a per-address lock, so concurrent voters cannot overshoot it.
    """
    answer = Answer(answer)
    now = now or timezone.now()
    vote = _locked_vote(release, voter_key)
    if vote is None:
        _lock_address(address_hash)
        _check_address_rate(address_hash, now)
    # The same reader's other window may insert, or withdraw, between our look and our insert:
    # a clash turns this vote into a change of theirs, a vanished row into a fresh try.
    for _attempt in range(3):
        if vote is not None:
            break
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    release=release,
                    voter_key=voter_key,
                    answer=answer,
                    address_hash=address_hash,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            vote = _locked_vote(release, voter_key)
        else:
            _move_tally(release.pk, up=answer)
            return vote
    if vote is None:
        raise PollRefused("Your vote changed in another window at the same moment: try again.")
    previous = vote.answer
    vote.answer = answer
    vote.updated_at = now
    if answer != Answer.TOO_EXPENSIVE:
        vote.would_pay = None
    vote.save(update_fields=["answer", "would_pay", "updated_at"])
    _move_tally(release.pk, down=previous, up=answer)
    return vote


@transaction.atomic
def withdraw_vote(*, release, voter_key):
    """Remove the reader's vote, if any. Returns whether there was one."""
    vote = _locked_vote(release, voter_key)
    if vote is None:
        return False
    vote.delete()
    _move_tally(release.pk, down=vote.answer)
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
            _move_tally(vote.release_id, down=vote.answer)
            continue
        if kept is not None:
            kept.delete()
            _move_tally(vote.release_id, down=kept.answer)
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
