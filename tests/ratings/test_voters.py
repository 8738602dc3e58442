import pytest
from django.test import RequestFactory

from ratings.voters import address_hash, client_address, is_bot

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
