"""Real concurrent connections: the tally always equals the stored votes, and caps hold."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ratings.models import Answer, Tally, Vote
from ratings.services import cast_vote, withdraw_vote
from ratings.voters import VOTER_COOKIE, address_hash, new_voter_token, set_voter_cookie
from tests.factories import ReleaseFactory
from tests.ratings.conftest import BROWSER_UA

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]

# Below the per-process connection pool (DATABASE_POOL_MAX), so no worker waits on the pool.
WORKERS = 8
DEADLINE_SECONDS = 120


def race(task, items):
    """Run task(item) for every item on WORKERS threads released together; return the results."""
    start = threading.Barrier(WORKERS)
    chunks = [items[i::WORKERS] for i in range(WORKERS)]

    def worker(chunk):
        try:
            start.wait(timeout=30)
            return [task(item) for item in chunk]
        finally:
            connection.close()

    began = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        results = [r for chunk in pool.map(worker, chunks) for r in chunk]
    assert time.monotonic() - began < DEADLINE_SECONDS
    return results


def stored_counts(release):
    rows = Vote.objects.filter(release=release).values_list("answer").annotate(n=Count("id"))
    return {answer: dict(rows).get(answer, 0) for answer in Answer.values}


def tally_counts(release):
    tally = Tally.objects.filter(release=release).first()
    return tally.counts() if tally else dict.fromkeys(Answer.values, 0)


def past_release():
    return ReleaseFactory(published_at=timezone.now() - timedelta(days=1))


def test_mixed_votes_changes_and_withdrawals_keep_counts_exact(settings):
    settings.POLL_RATE_PER_ADDRESS = 100_000
    releases = [past_release(), past_release()]
    rng = random.Random(6)
    # Few voters and many operations: the same reader is often changed in two threads at once.
    voters = [f"c:race-{n}" for n in range(30)]
    operations = [
        (rng.choice(releases), rng.choice(voters), rng.choice([*Answer.values, "withdraw"]))
        for _ in range(800)
    ]

    def apply(operation):
        release, voter, choice = operation
        if choice == "withdraw":
            withdraw_vote(release=release, voter_key=voter)
        else:
            cast_vote(
                release=release, voter_key=voter, answer=choice, address_hash=address_hash(voter)
            )

    race(apply, operations)

    for release in releases:
        assert tally_counts(release) == stored_counts(release)
        assert sum(stored_counts(release).values()) == Vote.objects.filter(release=release).count()
    assert Vote.objects.count() > 0  # the mix left votes behind, so the comparison means something


def signed_voter_client(remote):
    client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=remote)
    # The cookie the site itself would set, minted without a page view per client.
    response = HttpResponse()
    set_voter_cookie(response, new_voter_token())
    client.cookies[VOTER_COOKIE] = response.cookies[VOTER_COOKIE].value
    return client


def post_votes(release, clients, answers):
    url = reverse("ratings:vote", args=[release.slug])
    return race(
        lambda pair: pair[0].post(url, {"choice": pair[1]}).status_code,
        list(zip(clients, answers, strict=True)),
    )


def test_200_concurrent_voters_on_one_address_total_exactly_200(settings):
    settings.POLL_RATE_PER_ADDRESS = 1000
    release = past_release()
    clients = [signed_voter_client("192.0.2.77") for _ in range(200)]
    answers = [Answer.values[n % 4] for n in range(200)]

    statuses = post_votes(release, clients, answers)

    assert statuses == [302] * 200
    assert Vote.objects.filter(release=release).count() == 200
    assert sum(tally_counts(release).values()) == 200
    assert tally_counts(release) == stored_counts(release) == dict.fromkeys(Answer.values, 50)


def test_per_address_cap_holds_under_concurrency(settings):
    settings.POLL_RATE_PER_ADDRESS = 30
    release = past_release()
    clients = [signed_voter_client("192.0.2.88") for _ in range(80)]

    statuses = post_votes(release, clients, ["buying"] * 80)

    assert statuses.count(302) == 30
    assert statuses.count(429) == 50
    assert Vote.objects.count() == 30
    assert tally_counts(release)["buying"] == 30


def test_one_reader_voting_in_many_tabs_at_once_counts_once(settings):
    release = past_release()
    client_cookie = signed_voter_client("192.0.2.99").cookies[VOTER_COOKIE].value
    clients = []
    for _ in range(40):
        client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="192.0.2.99")
        client.cookies[VOTER_COOKIE] = client_cookie
        clients.append(client)

    statuses = post_votes(release, clients, [Answer.values[n % 4] for n in range(40)])

    assert set(statuses) <= {302, 409}
    assert Vote.objects.filter(release=release).count() == 1
    assert sum(tally_counts(release).values()) == 1
    assert tally_counts(release) == stored_counts(release)
