"""Poll stuffing over HTTP against gunicorn: one counted vote per reader, and the address cap holds.

The stack's database is shared by the hardening tests, so each test starts from an empty poll:
the per-address cap counts every vote from an address in the last hour, whatever the release.
"""

import html
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.utils.crypto import get_random_string

from ratings.voters import VOTER_COOKIE, new_voter_token, set_voter_cookie
from tests.hardening.conftest import new_pressing
from tests.hardening.stack import Visitor

pytestmark = pytest.mark.race

ANSWERS = ["buying", "maybe", "not_my_style", "too_expensive"]
THREADS = 50


@pytest.fixture
def empty_poll(stack_database):
    stack_database.sql("DELETE FROM ratings_vote")
    stack_database.sql("DELETE FROM ratings_tally")
    return stack_database


def minted_cookie(web):
    """A voter cookie as the stack itself would sign it, without a page view per voter."""
    response = HttpResponse()
    with override_settings(SECRET_KEY=web.env["SECRET_KEY"]):
        set_voter_cookie(response, new_voter_token())
    return response.cookies[VOTER_COOKIE].coded_value


def voter(web, **headers):
    """A reader with a voter cookie and a CSRF cookie (a CSRF secret is any 32 letters)."""
    cookies = {VOTER_COOKIE: minted_cookie(web), "csrftoken": get_random_string(32)}
    return Visitor(web, cookies=cookies, headers=headers)


def vote(visitor, slug, choice):
    return visitor.post(f"/releases/{slug}/poll/", {"choice": choice}).status


def at_once(task, items):
    """task(item) for every item on THREADS threads, the first THREADS released together."""
    go = threading.Event()

    def run(item):
        go.wait(timeout=30)
        return task(item)

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(run, item) for item in items]
        go.set()
        return [future.result(timeout=120) for future in futures]


def counts(db, slug):
    """(stored votes per answer, tally per answer) of a release."""
    stored = dict(
        db.sql(
            "SELECT v.answer, count(*) FROM ratings_vote v JOIN catalogue_release r"
            " ON r.id = v.release_id WHERE r.slug = %s GROUP BY v.answer",
            [slug],
        )
    )
    tally = db.sql(
        "SELECT buying, maybe, not_my_style, too_expensive FROM ratings_tally t"
        " JOIN catalogue_release r ON r.id = t.release_id WHERE r.slug = %s",
        [slug],
    )
    return (
        {answer: stored.get(answer, 0) for answer in ANSWERS},
        dict(zip(ANSWERS, tally[0] if tally else [0] * 4, strict=True)),
    )


def total(db, slug):
    stored, tally = counts(db, slug)
    assert stored == tally
    return sum(stored.values())


@pytest.fixture
def capped_web(start_web):
    """The default cap (30 votes per address per hour); X-Forwarded-For is not trusted."""
    return start_web(workers=4, POLL_RATE_PER_ADDRESS="30")


def test_votes_without_a_cookie_or_from_a_bot_are_not_counted(capped_web, empty_poll):
    _, slug = new_pressing(capped_web, on_hand=0)
    cookieless = Visitor(capped_web)
    assert cookieless.get(f"/releases/{slug}/").status == 200
    del cookieless.cookies[VOTER_COOKIE]  # a browser that refuses the voter cookie
    answers = at_once(
        lambda i: cookieless.post(f"/releases/{slug}/poll/", {"choice": "buying"}), range(20)
    )
    bot = voter(capped_web)
    bot.user_agent = "python-requests/2.32"

    assert {a.status for a in answers} == {403}
    assert "did not send the poll's cookie" in html.unescape(answers[0].text)
    assert vote(bot, slug, "buying") == 403
    assert total(empty_poll, slug) == 0


def test_one_reader_counts_once_however_often_and_however_fast(capped_web, empty_poll):
    _, slug = new_pressing(capped_web, on_hand=0)
    hasty = [voter(capped_web) for _ in range(12)]
    persistent = voter(capped_web)

    # Each hasty reader's first vote arrives from eight tabs at the same moment.
    tabs = [(reader, ANSWERS[n % 4]) for reader in hasty for n in range(8)]
    concurrent = at_once(lambda tab: vote(tab[0], slug, tab[1]), tabs)
    repeated = [vote(persistent, slug, ANSWERS[n % 4]) for n in range(8)]

    assert set(concurrent) <= {302, 409}, concurrent  # 409: "changed in another window"
    assert set(repeated) == {302}
    assert total(empty_poll, slug) == len(hasty) + 1
    stored, _ = counts(empty_poll, slug)
    assert stored["too_expensive"] >= 1  # the persistent reader's last answer stands


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(capped_web, empty_poll):
    _, slug = new_pressing(capped_web, on_hand=0)
    voters = [voter(capped_web, **{"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(1, 51)]

    statuses = at_once(lambda v: vote(v, slug, "buying"), voters)

    # Every post really came from 127.0.0.1, so the cap of 30 holds across the forged headers.
    assert statuses.count(302) == 30
    assert statuses.count(429) == 20
    assert total(empty_poll, slug) == 30


def test_behind_a_trusted_proxy_only_the_proxys_entry_counts(start_web, empty_poll):
    web = start_web(POLL_RATE_PER_ADDRESS="30", TRUSTED_PROXY_COUNT="1")
    _, slug = new_pressing(web, on_hand=0)
    # The client writes whatever it likes on the left; the proxy appends the address it saw.
    stuffer = [voter(web, **{"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.5"}) for n in range(45)]
    neighbours = [voter(web, **{"X-Forwarded-For": "203.0.113.6"}) for _ in range(10)]

    statuses = at_once(lambda v: vote(v, slug, "maybe"), stuffer + neighbours)

    assert statuses[:45].count(302) == 30
    assert statuses[:45].count(429) == 15
    assert statuses[45:] == [302] * 10
    assert total(empty_poll, slug) == 40


def test_a_thousand_concurrent_voters_tally_exactly_a_thousand(start_web, empty_poll):
    web = start_web(workers=3, POLL_RATE_PER_ADDRESS="100000")
    _, slug = new_pressing(web, on_hand=0)
    voters = [(voter(web), ANSWERS[n % 4]) for n in range(1000)]

    statuses = at_once(lambda pair: vote(pair[0], slug, pair[1]), voters)

    assert statuses == [302] * 1000
    stored, tally = counts(empty_poll, slug)
    assert stored == tally == dict.fromkeys(ANSWERS, 250)
    assert empty_poll.sql("SELECT count(DISTINCT voter_key) FROM ratings_vote") == [(1000,)]
