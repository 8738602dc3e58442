import random
from decimal import Decimal

import pytest

from catalogue.models import Status
from ratings.models import Answer
from ratings.selectors import percentages, poll_results, price_feedback, reader_poll
from ratings.services import cast_vote, set_would_pay
from tests.factories import ReleaseFactory


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 1, 0], [34, 33, 33, 0]),
        ([1, 2, 0, 0], [33, 67, 0, 0]),
        ([0, 0, 0, 0], [0, 0, 0, 0]),
        ([7, 0, 0, 0], [100, 0, 0, 0]),
        ([1, 1, 1, 1], [25, 25, 25, 25]),
        ([2, 3, 3, 1], [22, 34, 33, 11]),
    ],
)
def test_percentages_use_largest_remainders(counts, expected):
    assert percentages(counts) == expected


@pytest.mark.parametrize("seed", range(50))
def test_percentages_always_add_up_to_100(seed):
    counts = [random.Random(seed).randint(0, 999) for _ in range(4)]
    counts[seed % 4] += 1
    shares = percentages(counts)
    assert sum(shares) == 100
    for count, share in zip(counts, shares, strict=True):
        assert abs(share - count * 100 / sum(counts)) < 1


def voters(release, answers, address="c" * 64):
    for n, answer in enumerate(answers):
        cast_vote(release=release, voter_key=f"v{n}", answer=answer, address_hash=address)


@pytest.mark.django_db
def test_poll_results_in_poll_order(django_assert_num_queries):
    release = ReleaseFactory()
    voters(release, [Answer.TOO_EXPENSIVE, Answer.BUYING, Answer.BUYING])
    with django_assert_num_queries(1):
        results = poll_results(release)
    assert [(r.label, r.count, r.percent) for r in results.answers] == [
        ("Buying!", 2, 67),
        ("Maybe Buy", 0, 0),
        ("Not My Style", 0, 0),
        ("Too Expensive", 1, 33),
    ]
    assert results.total == 3


@pytest.mark.django_db
def test_reader_poll_finds_the_release_the_readers_vote_and_the_counts(django_assert_num_queries):
    release = ReleaseFactory(title="Drive")
    voters(release, [Answer.TOO_EXPENSIVE, Answer.BUYING, Answer.BUYING])
    cast_vote(release=release, voter_key="c:me", answer=Answer.TOO_EXPENSIVE, address_hash="b")
    set_would_pay(release=release, voter_key="c:me", amount=Decimal("21.50"))
    with django_assert_num_queries(1):
        found = reader_poll(release.slug, "c:me")
    assert (found.release.pk, found.release.slug, found.release.title) == (
        release.pk,
        release.slug,
        "Drive",
    )
    assert (found.vote.answer, found.vote.would_pay, found.vote.voter_key) == (
        Answer.TOO_EXPENSIVE,
        Decimal("21.50"),
        "c:me",
    )
    assert found.counts == {"buying": 2, "maybe": 0, "not_my_style": 0, "too_expensive": 2}


@pytest.mark.django_db
def test_reader_poll_for_a_reader_who_has_not_voted_or_has_no_key():
    release = ReleaseFactory()
    voters(release, [Answer.BUYING])
    for key in ("c:someone-else", None):
        found = reader_poll(release.slug, key)
        assert found.vote is None
        assert found.counts == {"buying": 1, "maybe": 0, "not_my_style": 0, "too_expensive": 0}


@pytest.mark.django_db
def test_reader_poll_of_a_release_without_votes_counts_zero():
    found = reader_poll(ReleaseFactory().slug, "c:me")
    assert found.vote is None
    assert found.counts == {"buying": 0, "maybe": 0, "not_my_style": 0, "too_expensive": 0}


@pytest.mark.django_db
def test_reader_poll_finds_only_published_releases():
    draft = ReleaseFactory(status=Status.DRAFT)
    assert reader_poll(draft.slug, "c:me") is None
    assert reader_poll("no-such-release", "c:me") is None


@pytest.mark.django_db
def test_price_feedback_without_votes():
    assert price_feedback(ReleaseFactory()) == {
        "votes": 0,
        "too_expensive_share": None,
        "median_would_pay": None,
    }


@pytest.mark.django_db
def test_price_feedback_share_and_exact_median():
    release = ReleaseFactory()
    voters(release, [Answer.TOO_EXPENSIVE] * 4 + [Answer.BUYING] * 2)
    for n, amount in enumerate(["10.00", "20.01", "20.02", "99.99"]):
        set_would_pay(release=release, voter_key=f"v{n}", amount=Decimal(amount))
    feedback = price_feedback(release)
    assert feedback["votes"] == 6
    assert feedback["too_expensive_share"] == Decimal("66.7")
    # (20.01 + 20.02) / 2 = 20.015, rounded half up in Decimal, never through a float.
    assert feedback["median_would_pay"] == Decimal("20.02")
