from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ratings.models import Answer, Tally, Vote
from ratings.services import (
    AddressRateLimited,
    NoVote,
    cast_vote,
    cast_vote_by_slug,
    merge_votes,
    recount_tallies,
    set_would_pay,
    withdraw_vote,
)
from tests.factories import ReleaseFactory, VoteFactory

pytestmark = pytest.mark.django_db


def counts(release):
    return Tally.objects.get(release=release).counts()


def vote(release, voter, answer, address="a" * 64, **kwargs):
    return cast_vote(
        release=release, voter_key=voter, answer=answer, address_hash=address, **kwargs
    )


def test_second_vote_replaces_first():
    release = ReleaseFactory()
    vote(release, "k", Answer.MAYBE)
    vote(release, "k", Answer.BUYING)
    assert Vote.objects.get().answer == Answer.BUYING
    assert counts(release) == {"buying": 1, "maybe": 0, "not_my_style": 0, "too_expensive": 0}


def test_same_answer_twice_counts_once():
    release = ReleaseFactory()
    vote(release, "k", Answer.BUYING)
    vote(release, "k", Answer.BUYING)
    assert counts(release)["buying"] == 1


def test_withdraw_lowers_the_count_once():
    release = ReleaseFactory()
    vote(release, "k", Answer.NOT_MY_STYLE)
    assert withdraw_vote(release=release, voter_key="k") is True
    assert withdraw_vote(release=release, voter_key="k") is False
    assert counts(release)["not_my_style"] == 0


def test_unknown_answer_is_refused_before_any_write():
    release = ReleaseFactory()
    with pytest.raises(ValueError, match="meh"):
        vote(release, "k", "meh")
    assert not Vote.objects.exists()


def test_database_refuses_a_second_row_for_one_reader():
    existing = VoteFactory()
    with pytest.raises(IntegrityError):
        VoteFactory(release=existing.release, voter_key=existing.voter_key)


def test_would_pay_only_on_a_too_expensive_vote():
    release = ReleaseFactory()
    vote(release, "k", Answer.BUYING)
    with pytest.raises(NoVote):
        set_would_pay(release=release, voter_key="k", amount=Decimal("20.00"))
    vote(release, "k", Answer.TOO_EXPENSIVE)
    set_would_pay(release=release, voter_key="k", amount=Decimal("20.00"))
    assert Vote.objects.get().would_pay == Decimal("20.00")
    # Changing the answer drops the price: it belonged to "Too Expensive".
    vote(release, "k", Answer.MAYBE)
    assert Vote.objects.get().would_pay is None


def test_database_refuses_would_pay_on_other_answers():
    with pytest.raises(IntegrityError):
        VoteFactory(answer=Answer.BUYING, would_pay=Decimal("10.00"))


def test_address_limit_counts_new_votes_in_the_last_hour(settings):
    settings.POLL_RATE_PER_ADDRESS = 2
    release = ReleaseFactory()
    an_hour_ago = timezone.now() - timedelta(minutes=61)
    vote(release, "old", Answer.BUYING, now=an_hour_ago)
    vote(release, "one", Answer.BUYING)
    vote(release, "two", Answer.BUYING)
    # Changing an existing vote is not a new vote.
    vote(release, "two", Answer.MAYBE)
    with pytest.raises(AddressRateLimited):
        vote(release, "three", Answer.BUYING)
    vote(release, "four", Answer.BUYING, address="b" * 64)
    assert counts(release) == {"buying": 3, "maybe": 1, "not_my_style": 0, "too_expensive": 0}


@pytest.mark.django_db(transaction=True)
def test_only_the_vote_transaction_commits_without_waiting_for_the_disk():
    release = ReleaseFactory()

    def synchronous_commit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    assert synchronous_commit() == "on"
    with transaction.atomic():
        vote(release, "one", Answer.BUYING)
        assert synchronous_commit() == "off"
    # The setting ended with the vote's transaction: the next one waits for the disk again.
    assert synchronous_commit() == "on"
    vote(release, "two", Answer.MAYBE)
    assert synchronous_commit() == "on"
    assert counts(release)["buying"] == 1 and counts(release)["maybe"] == 1


def test_merge_moves_cookie_votes_to_the_account():
    first, second = ReleaseFactory(), ReleaseFactory()
    vote(first, "c:browser", Answer.MAYBE)
    vote(second, "c:browser", Answer.BUYING)
    assert merge_votes(from_key="c:browser", to_key="u:1") == 2
    assert set(Vote.objects.values_list("voter_key", flat=True)) == {"u:1"}
    assert counts(first)["maybe"] == 1
    assert counts(second)["buying"] == 1


def test_merge_keeps_the_newer_answer_when_both_voted():
    release = ReleaseFactory()
    earlier = timezone.now() - timedelta(days=2)
    vote(release, "u:1", Answer.NOT_MY_STYLE, now=earlier)
    vote(release, "c:browser", Answer.BUYING)
    merge_votes(from_key="c:browser", to_key="u:1")
    kept = Vote.objects.get()
    assert (kept.voter_key, kept.answer) == ("u:1", Answer.BUYING)
    assert counts(release) == {"buying": 1, "maybe": 0, "not_my_style": 0, "too_expensive": 0}

    other = ReleaseFactory()
    vote(other, "c:later", Answer.MAYBE, now=earlier)
    vote(other, "u:1", Answer.TOO_EXPENSIVE)
    merge_votes(from_key="c:later", to_key="u:1")
    assert Vote.objects.get(release=other).answer == Answer.TOO_EXPENSIVE
    assert counts(other) == {"buying": 0, "maybe": 0, "not_my_style": 0, "too_expensive": 1}


def test_recount_rebuilds_tallies_from_stored_votes():
    release = ReleaseFactory()
    VoteFactory.create_batch(3, release=release, answer=Answer.MAYBE)
    VoteFactory(release=release, answer=Answer.BUYING)
    Tally.objects.create(release=ReleaseFactory(), buying=9)  # votes since deleted
    recount_tallies()
    assert counts(release) == {"buying": 1, "maybe": 3, "not_my_style": 0, "too_expensive": 0}
    assert Tally.objects.count() == 1


def test_a_vote_by_slug_finds_the_release_in_the_same_statement(
    settings, django_assert_num_queries
):
    settings.POLL_RATE_PER_ADDRESS = 1
    release = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    draft = ReleaseFactory(status="draft", published_at=None)

    def by_slug(slug, voter):
        return cast_vote_by_slug(
            slug=slug, voter_key=voter, answer=Answer.BUYING, address_hash="a" * 64
        )

    with django_assert_num_queries(1):
        first = by_slug(release.slug, "one")
    assert first.release.pk == release.pk and first.refused is None
    assert first.cast.counts["buying"] == 1
    assert by_slug(draft.slug, "one") is None
    assert by_slug("no-such-release", "one") is None
    limited = by_slug(release.slug, "two")  # a second new voter from the same address
    assert isinstance(limited.refused, AddressRateLimited) and limited.cast is None
    assert limited.release.title == release.title
    assert counts(release)["buying"] == 1
    assert not Vote.objects.filter(release=draft).exists()


@pytest.mark.django_db(transaction=True)
def test_the_vote_by_slug_is_prepared_once_per_connection_with_every_value_a_parameter(settings):
    from ratings.services import _vote_by_slug

    release = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    name = _vote_by_slug().name

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
            return cursor.fetchone()[0]

    def by_slug(voter, answer, address):
        return cast_vote_by_slug(
            slug=release.slug, voter_key=voter, answer=answer, address_hash=address
        )

    settings.POLL_RATE_PER_ADDRESS = 1
    assert by_slug("one", Answer.BUYING, "a" * 64).cast.vote.answer == Answer.BUYING
    assert prepared() == 1
    assert isinstance(by_slug("two", Answer.BUYING, "a" * 64).refused, AddressRateLimited)
    connection.close()  # a new connection prepares it again
    settings.POLL_RATE_PER_ADDRESS = 2  # the limit is read at each vote, not kept in the plan
    second = by_slug("two", Answer.MAYBE, "a" * 64)
    assert second.refused is None and second.cast.vote.answer == Answer.MAYBE
    assert by_slug("three", Answer.MAYBE, "b" * 64).cast.counts == {
        "buying": 1, "maybe": 2, "not_my_style": 0, "too_expensive": 0
    }  # fmt: skip
    assert prepared() == 1


def test_a_vote_updates_the_tally_row_in_place():
    """Nothing indexes the counts, so PostgreSQL updates the hot row in place (a HOT update):
    release-day votes leave no dead index entries behind them."""
    release = ReleaseFactory()
    vote(release, "first", Answer.BUYING)  # the tally row is written

    def tally_updates():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_updated('ratings_tally'::regclass),"
                " pg_stat_get_xact_tuples_hot_updated('ratings_tally'::regclass)"
            )
            return cursor.fetchone()

    updated, hot = tally_updates()
    for n, answer in enumerate([Answer.BUYING, Answer.MAYBE, Answer.BUYING, Answer.TOO_EXPENSIVE]):
        vote(release, f"voter-{n}", answer)
    now_updated, now_hot = tally_updates()
    assert now_updated - updated == 4
    assert now_hot - hot == 4
    assert counts(release)["buying"] == 3
