import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ratings.models import Answer, Tally, Vote
from ratings.voters import VOTER_COOKIE
from tests.factories import ReleaseFactory
from tests.ratings.conftest import BROWSER_UA, reader_client

pytestmark = pytest.mark.django_db


def vote_url(release):
    return reverse("ratings:vote", args=[release.slug])


def counts(release):
    tally = Tally.objects.filter(release=release).first()
    return tally.counts() if tally else dict.fromkeys(Answer.values, 0)


def test_first_view_sets_a_signed_httponly_voter_cookie(release):
    response = Client(HTTP_USER_AGENT=BROWSER_UA).get(release.get_absolute_url())
    cookie = response.cookies[VOTER_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"]  # DEBUG is off in tests
    assert int(cookie["max-age"]) >= 2 * 365 * 24 * 3600 - 1
    assert ":" in cookie.value  # value:signature
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_poll_hides_counts_before_voting(release, reader):
    cast = reader_client(release, address="203.0.113.99")
    cast.post(vote_url(release), {"choice": "maybe"})
    page = reader.get(release.get_absolute_url()).content.decode()
    assert "What Do You Think of This Release?" in page
    for label in ("Buying!", "Maybe Buy", "Not My Style", "Too Expensive"):
        assert label in page
    assert "poll__bars" not in page
    assert "Thanks for rating this!" not in page


def test_vote_without_javascript_redirects_to_the_poll_with_results(release, reader):
    response = reader.post(vote_url(release), {"choice": "buying"})
    assert response.status_code == 302
    assert response["Location"] == "/releases/drive/#poll"
    page = reader.get(response["Location"]).content.decode()
    assert "Thanks for rating this! Now tell the world how you feel" in page
    assert "(your answer)" in page
    assert "100%" in page
    assert "1 vote, yours included." in page
    assert counts(release)["buying"] == 1


def test_changing_the_vote_moves_the_count(release, reader):
    reader.post(vote_url(release), {"choice": "buying"})
    reader.post(vote_url(release), {"choice": "too_expensive"})
    assert counts(release) == {"buying": 0, "maybe": 0, "not_my_style": 0, "too_expensive": 1}
    page = reader.get(release.get_absolute_url()).content.decode()
    assert "You answered <strong>Too Expensive</strong>" in page
    assert "What would you pay? (USD)" in page


def test_withdraw_removes_the_vote(release, reader):
    reader.post(vote_url(release), {"choice": "maybe"})
    reader.post(vote_url(release), {"choice": "withdraw"})
    assert not Vote.objects.exists()
    assert counts(release)["maybe"] == 0


def test_background_vote_gets_the_results_fragment(release, reader):
    response = reader.post(vote_url(release), {"choice": "buying"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    assert response["X-Poll-Fragment"] == "1"
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="poll-results-heading"' in html
    assert "Thanks for rating this!" in html
    assert "https://twitter.com/intent/tweet?text=Buying%21+%E2%80%94+Drive+%28Original" in html
    assert "https://bsky.app/intent/compose?text=" in html
    assert "http%3A%2F%2F127.0.0.1%3A8000%2Freleases%2Fdrive%2F" in html


def test_two_readers_see_their_own_answers_and_both_counts(release, reader):
    other = reader_client(release, address="198.51.100.4")
    reader.post(vote_url(release), {"choice": "buying"})
    other.post(vote_url(release), {"choice": "not_my_style"})
    mine = reader.get(release.get_absolute_url()).content.decode()
    theirs = other.get(release.get_absolute_url()).content.decode()
    assert "You answered <strong>Buying!</strong>" in mine
    assert "You answered <strong>Not My Style</strong>" in theirs
    assert "2 votes, yours included." in mine
    assert "2 votes, yours included." in theirs
    assert mine.count("50%") == 2


@pytest.mark.parametrize("choice", ["", "BUYING", "buying ", "meh", "x" * 5000, "buying\x00"])
def test_unknown_choice_is_400_and_changes_nothing(release, reader, choice):
    reader.post(vote_url(release), {"choice": "maybe"})
    response = reader.post(vote_url(release), {"choice": choice})
    assert response.status_code == 400
    expected = b"Choose one of the four answers." if choice == "" else b"not one of the poll"
    assert expected in response.content
    assert Vote.objects.get().answer == Answer.MAYBE
    assert counts(release)["maybe"] == 1


def test_vote_needs_a_csrf_token(release):
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER_UA)
    page = client.get(release.get_absolute_url())
    assert client.post(vote_url(release), {"choice": "buying"}).status_code == 403
    token = page.context["csrf_token"]
    response = client.post(vote_url(release), {"choice": "buying", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Vote.objects.count() == 1


def _form_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_background_vote_answers_with_the_token_it_was_let_through_with(release):
    client = reader_client(release, enforce_csrf_checks=True)
    token = _form_token(client.get(release.get_absolute_url()).content.decode())
    secret = client.cookies["csrftoken"].value
    response = client.post(
        vote_url(release),
        {"choice": "buying", "csrfmiddlewaretoken": token},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200
    html = response.content.decode()
    # Every form of the fragment carries the posted token back; no new cookie is set.
    assert html.count(f'name="csrfmiddlewaretoken" value="{token}"') == 1
    assert "csrftoken" not in response.cookies
    # The token still works: the reader changes their answer from the new fragment.
    again = client.post(
        vote_url(release),
        {"choice": "too_expensive", "csrfmiddlewaretoken": _form_token(html)},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert again.status_code == 200
    assert again.content.decode().count(f'value="{token}"') == 2  # the vote and would-pay forms
    assert Vote.objects.get().answer == Answer.TOO_EXPENSIVE
    assert secret not in html


def test_background_vote_with_the_raw_secret_gets_a_masked_token(release):
    client = reader_client(release, enforce_csrf_checks=True)
    client.get(release.get_absolute_url())
    secret = client.cookies["csrftoken"].value
    response = client.post(
        vote_url(release),
        {"choice": "buying"},
        HTTP_X_CSRFTOKEN=secret,
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200
    token = _form_token(response.content.decode())
    assert token != secret
    assert len(token) == 64
    assert secret not in response.content.decode()


def test_share_links_follow_a_changed_title(release, reader):
    reader.post(vote_url(release), {"choice": "buying"}, HTTP_X_REQUESTED_WITH="fetch")
    release.title = "Drive (Deluxe Edition)"
    release.save()
    html = reader.post(
        vote_url(release), {"choice": "maybe"}, HTTP_X_REQUESTED_WITH="fetch"
    ).content.decode()
    assert "tweet?text=Maybe+Buy+%E2%80%94+Drive+%28Deluxe+Edition%29+on+Needle+Drop" in html
    assert "Original" not in html


def test_vote_without_voter_cookie_is_not_counted(release):
    response = Client(HTTP_USER_AGENT=BROWSER_UA).post(vote_url(release), {"choice": "buying"})
    assert response.status_code == 403
    assert b"did not send the poll&#x27;s cookie" in response.content
    assert not Vote.objects.exists()


def test_forged_voter_cookie_is_not_counted(release):
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.cookies[VOTER_COOKIE] = "abcdefghijklmnopqrstuv:forged"
    assert client.post(vote_url(release), {"choice": "buying"}).status_code == 403
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    "agent",
    ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "python-requests/2.32", ""],
)
def test_bot_vote_is_not_counted(release, agent):
    client = reader_client(release)
    response = client.post(vote_url(release), {"choice": "buying"}, HTTP_USER_AGENT=agent)
    assert response.status_code == 403
    assert b"automated clients" in response.content
    assert not Vote.objects.exists()


def test_unpublished_release_refuses_votes(reader):
    draft = ReleaseFactory(status="draft", published_at=None)
    future = ReleaseFactory(published_at=timezone.now() + timezone.timedelta(days=3))
    assert reader.post(vote_url(draft), {"choice": "buying"}).status_code == 404
    assert reader.post(vote_url(future), {"choice": "buying"}).status_code == 404
    assert not Vote.objects.exists()


def test_vote_endpoint_accepts_only_post(release, reader):
    assert reader.get(vote_url(release)).status_code == 405


def test_the_31st_vote_from_one_address_in_an_hour_is_refused(release):
    for n in range(30):
        client = reader_client(release, address="192.0.2.50")
        assert client.post(vote_url(release), {"choice": "buying"}).status_code == 302, n
    late = reader_client(release, address="192.0.2.50")
    response = late.post(vote_url(release), {"choice": "buying"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert b"30 votes have already come from your network" in response.content
    assert Vote.objects.count() == 30
    assert counts(release)["buying"] == 30
    # Another address is not affected.
    elsewhere = reader_client(release, address="192.0.2.51")
    assert elsewhere.post(vote_url(release), {"choice": "buying"}).status_code == 302


def new_voters_statuses(release, *, remote, forwarded_for, count):
    """Statuses of `count` new voters' votes from one REMOTE_ADDR with the given X-Forwarded-For."""
    statuses = []
    for n in range(count):
        client = reader_client(release, address=remote)
        response = client.post(
            vote_url(release), {"choice": "maybe"}, HTTP_X_FORWARDED_FOR=forwarded_for(n)
        )
        statuses.append(response.status_code)
    return statuses


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(release, settings):
    settings.POLL_RATE_PER_ADDRESS = 3
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = new_voters_statuses(
        release, remote="192.0.2.60", forwarded_for=lambda n: f"10.9.8.{n}", count=5
    )
    assert statuses == [302, 302, 302, 429, 429]
    assert Vote.objects.count() == 3


def test_forwarded_for_is_read_from_the_right_behind_a_trusted_proxy(release, settings):
    settings.POLL_RATE_PER_ADDRESS = 2
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges the left part; the proxy appends the real address on the right.
    statuses = new_voters_statuses(
        release,
        remote="10.0.0.1",
        forwarded_for=lambda n: f"198.51.100.{n}, 203.0.113.200",
        count=4,
    )
    assert statuses == [302, 302, 429, 429]
    # A different real client behind the same proxy has its own allowance.
    other = new_voters_statuses(
        release, remote="10.0.0.1", forwarded_for=lambda n: "203.0.113.201", count=1
    )
    assert other == [302]


def test_per_voter_rate_limit(release, reader, settings):
    settings.POLL_RATE_PER_VOTER = 3
    answers = ["buying", "maybe", "buying", "not_my_style"]
    statuses = [reader.post(vote_url(release), {"choice": a}).status_code for a in answers]
    assert statuses == [302, 302, 302, 429]
    assert Vote.objects.get().answer == Answer.BUYING


def test_would_pay_after_too_expensive(release, reader):
    url = reverse("ratings:would-pay", args=[release.slug])
    assert reader.post(url, {"amount": "20"}).status_code == 400  # no Too Expensive vote yet
    reader.post(vote_url(release), {"choice": "too_expensive"})
    response = reader.post(url, {"amount": "24.50"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    assert b"your price is noted" in response.content
    assert Vote.objects.get().would_pay == Decimal("24.50")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", b"above zero"),
        ("0", b"above zero"),
        ("1000000", b"at most 1000.00"),
        ("12.345", b"two decimal places"),
        ("lots", b"as a number"),
        ("NaN", b"as a number"),
        ("", b"Enter an amount"),
    ],
)
def test_would_pay_is_validated(release, reader, amount, message):
    reader.post(vote_url(release), {"choice": "too_expensive"})
    url = reverse("ratings:would-pay", args=[release.slug])
    response = reader.post(url, {"amount": amount})
    assert response.status_code == 400
    assert message in response.content
    assert Vote.objects.get().would_pay is None


def test_after_maybe_the_notify_hook_is_included(release, reader):
    response = reader.post(vote_url(release), {"choice": "maybe"}, HTTP_X_REQUESTED_WITH="fetch")
    templates = [t.name for t in response.templates]
    assert "includes/poll_after_maybe.html" in templates
    response = reader.post(vote_url(release), {"choice": "buying"}, HTTP_X_REQUESTED_WITH="fetch")
    assert "includes/poll_after_maybe.html" not in [t.name for t in response.templates]


def test_staff_see_results_without_voting(release):
    voter = reader_client(release, address="198.51.100.9")
    voter.post(vote_url(release), {"choice": "buying"})
    staff = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(staff)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "poll__bars" in page
    assert "1 vote." in page
    assert "Thanks for rating this!" not in page


def test_release_without_votes_says_so_to_staff(release):
    staff = get_user_model().objects.create_user("editor", password="pw", is_staff=True)
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    client.force_login(staff)
    assert b"No votes yet for this release." in client.get(release.get_absolute_url()).content


def test_anonymous_vote_joins_the_account_on_login(release, reader):
    reader.post(vote_url(release), {"choice": "maybe"})
    user = get_user_model().objects.create_user(
        "reader", password="a-long-password-1", is_staff=True
    )
    # A real login view, so user_logged_in carries the browser's own request and cookies.
    response = reader.post(
        reverse("admin:login"), {"username": "reader", "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert vote.voter_key == f"u:{user.pk}"
    page = reader.get(release.get_absolute_url()).content.decode()
    assert "You answered <strong>Maybe Buy</strong>" in page


def test_mastodon_share_validates_the_server(release):
    url = reverse("ratings:share-mastodon", args=[release.slug])
    client = Client()
    good = client.get(url, {"instance": "https://Mastodon.Social/", "choice": "buying"})
    assert good.status_code == 200
    assert (
        b'href="https://mastodon.social/share?text=Buying%21+%E2%80%94+Drive+%28Original+Motion'
        in good.content
    )
    for bad in [
        "evil.com/phish?x=",
        "127.0.0.1",
        "localhost",
        "a b.social",
        "host:8080",
        "x" * 300,
    ]:
        response = client.get(url, {"instance": bad})
        assert response.status_code == 400, bad
        assert b"/share?" not in response.content


def _cookie_mark(response):
    """The mark of the voter cookie ``response`` sets ("n" or "v"), or None when it sets none."""
    if VOTER_COOKIE not in response.cookies:
        return None
    value = response.cookies[VOTER_COOKIE].value
    return value.split(":")[0].rpartition(".")[2]


def test_a_readers_cookie_is_marked_once_their_first_vote_is_counted(release):
    client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="203.0.113.7")
    assert _cookie_mark(client.get(release.get_absolute_url())) == "n"
    assert _cookie_mark(client.post(vote_url(release), {"choice": "buying"})) == "v"
    # Marked: a second vote, or a vote on another release, sends no cookie.
    assert _cookie_mark(client.post(vote_url(release), {"choice": "maybe"})) is None
    other = ReleaseFactory(published_at=timezone.now() - timedelta(days=1))
    assert _cookie_mark(client.post(vote_url(other), {"choice": "maybe"})) is None


def test_a_vote_not_counted_leaves_the_cookie_unmarked(release, settings):
    settings.POLL_RATE_PER_ADDRESS = 1
    first = reader_client(release, address="198.51.100.9")
    first.post(vote_url(release), {"choice": "buying"})
    second = reader_client(release, address="198.51.100.9")
    response = second.post(vote_url(release), {"choice": "buying"})
    assert response.status_code == 429
    assert _cookie_mark(response) is None
    assert _cookie_mark(second.post(vote_url(release), {"choice": "nonsense"})) is None


def test_a_vote_cast_by_an_account_leaves_the_browsers_cookie_alone(release):
    client = reader_client(release)
    client.force_login(get_user_model().objects.create_user("fan", password="pw-123456789"))
    response = client.post(vote_url(release), {"choice": "buying"})
    assert response.status_code == 302
    assert _cookie_mark(response) is None
