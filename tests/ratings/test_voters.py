import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from ratings.voters import (
    VOTER_COOKIE,
    VOTER_COOKIE_SALT,
    address_hash,
    client_address,
    has_never_voted,
    is_bot,
    mark_voted,
    new_voter_token,
    set_voter_cookie,
    voter_token,
)

rf = RequestFactory()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.9"),
        (1, "1.2.3.4, 5.6.7.8", "5.6.7.8"),
        (2, "1.2.3.4, 5.6.7.8, 9.9.9.9", "5.6.7.8"),
        (2, "5.6.7.8", "10.0.0.9"),  # fewer hops than proxies: the header is not trusted
        (1, "1.2.3.4, not-an-address", "10.0.0.9"),
        (1, "", "10.0.0.9"),
    ],
)
def test_client_address_trusts_forwarded_for_only_from_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_address_hash_is_keyed_and_never_the_address(settings):
    hashed = address_hash("203.0.113.7")
    assert "203.0.113.7" not in hashed
    assert len(hashed) == 64
    settings.SECRET_KEY = "another-secret-key-entirely-different-from-the-test-one"
    assert address_hash("203.0.113.7") != hashed


def test_ipv6_addresses_of_one_network_share_a_hash():
    assert address_hash("2001:db8:1:2::1") == address_hash("2001:db8:1:2:ffff::9")
    assert address_hash("2001:db8:1:2::1") != address_hash("2001:db8:1:3::1")
    assert address_hash("::ffff:192.0.2.1") == address_hash("192.0.2.1")


@pytest.mark.parametrize(
    ("agent", "bot"),
    [
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
            False,
        ),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
        ("facebookexternalhit/1.1", True),
        ("Wget/1.21", True),
        ("Mozilla/5.0 (compatible; GOOGLEBOT/2.1)", True),
        ("Python-Requests/2.32", True),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36", False),
        ("", True),
    ],
)
def test_is_bot(agent, bot):
    assert is_bot(rf.get("/", HTTP_USER_AGENT=agent)) is bot


def _request_with_cookie(response):
    """A request carrying the voter cookie ``response`` set."""
    request = RequestFactory().get("/")
    request.COOKIES[VOTER_COOKIE] = response.cookies[VOTER_COOKIE].value
    return request


def _signed(value):
    response = HttpResponse()
    response.set_signed_cookie(VOTER_COOKIE, value, salt=VOTER_COOKIE_SALT)
    return _request_with_cookie(response)


def test_a_new_voter_cookie_says_it_has_never_voted_until_marked():
    token = new_voter_token()
    response = HttpResponse()
    set_voter_cookie(response, token)
    request = _request_with_cookie(response)
    assert (voter_token(request), has_never_voted(request)) == (token, True)

    mark_voted(request, response := HttpResponse())
    marked = _request_with_cookie(response)
    assert (voter_token(marked), has_never_voted(marked)) == (token, False)
    # A marked cookie is not set again.
    mark_voted(marked, again := HttpResponse())
    assert VOTER_COOKIE not in again.cookies


def test_a_cookie_from_before_the_mark_keeps_its_token_and_may_have_voted():
    token = new_voter_token()
    request = _signed(token)
    assert (voter_token(request), has_never_voted(request)) == (token, False)


@pytest.mark.parametrize("suffix", [".x", ".", ".nv", ".n.v"])
def test_a_cookie_with_an_unknown_mark_is_refused(suffix):
    request = _signed(new_voter_token() + suffix)
    assert (voter_token(request), has_never_voted(request)) == (None, False)


def test_a_forged_cookie_says_nothing():
    request = RequestFactory().get("/")
    request.COOKIES[VOTER_COOKIE] = new_voter_token() + ".n"  # unsigned
    assert (voter_token(request), has_never_voted(request)) == (None, False)
    mark_voted(request, response := HttpResponse())
    assert VOTER_COOKIE not in response.cookies
