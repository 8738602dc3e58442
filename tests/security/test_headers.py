"""Security headers on every kind of HTML page."""

import pytest
from django.urls import reverse

from tests.factories import ArtistFactory, PressingFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    release = ReleaseFactory(title="Drive")
    PressingFactory(release=release)
    artist = ArtistFactory()
    return [
        "/",
        reverse("catalogue:release-list"),
        release.get_absolute_url(),
        artist.get_absolute_url(),
        release.film.get_absolute_url(),
        reverse("catalogue:search") + "?q=drive",
        "/no-such-page/",
        reverse("admin:login"),
    ]


def test_every_page_type_carries_the_security_headers(client, pages):
    for url in pages:
        response = client.get(url, secure=True)
        assert response.status_code in (200, 404), url
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, url
        assert "frame-ancestors 'none'" in csp, url
        assert "form-action 'self' https://checkout.stripe.com" in csp, url
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["X-Frame-Options"] == "DENY", url
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert "camera=()" in headers["Permissions-Policy"], url
        assert "Server" not in headers, url


def test_no_hsts_over_plain_http(client):
    # HSTS sent over plain HTTP would be ignored by browsers; Django sends it only over HTTPS.
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_cookies_are_secure_httponly_and_lax(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(reverse("admin:login"), secure=True)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
