from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from catalogue.hooks import sorts
from catalogue.models import Release
from ratings.demo import add_demo_votes
from ratings.models import Answer, Tally, Vote
from ratings.services import cast_vote
from tests.factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def test_most_wanted_sorts_by_buying_votes_in_one_query(django_assert_num_queries):
    past = timezone.now() - timedelta(days=1)
    loved, liked, unvoted = (ReleaseFactory(published_at=past) for _ in range(3))
    for release, buyers in ((loved, 3), (liked, 1)):
        for n in range(buyers):
            cast_vote(
                release=release,
                voter_key=f"{release.pk}-{n}",
                answer=Answer.BUYING,
                address_hash="a",
            )
    cast_vote(release=unvoted, voter_key="x", answer=Answer.NOT_MY_STYLE, address_hash="a")
    sort = sorts()["wanted"]
    assert sort.label == "Most wanted"
    with django_assert_num_queries(1):
        ordered = list(sort.apply(Release.objects.published()))
    assert ordered[:2] == [loved, liked]
    assert set(ordered) == {loved, liked, unvoted}


def test_demo_votes_are_idempotent():
    past = timezone.now() - timedelta(days=1)
    ReleaseFactory.create_batch(6, published_at=past)
    add_demo_votes()
    first = Vote.objects.count()
    add_demo_votes()
    assert Vote.objects.count() == first > 0
    assert Tally.objects.count() == 5
    for tally in Tally.objects.all():
        stored = dict(
            Vote.objects.filter(release=tally.release).values_list("answer").annotate(n=Count("id"))
        )
        assert tally.counts() == {a: stored.get(a, 0) for a in Answer.values}


def test_load_demo_adds_poll_votes():
    call_command("load_demo")
    assert Vote.objects.exists()
    assert Tally.objects.exists()
