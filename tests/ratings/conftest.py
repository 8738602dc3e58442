from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tests.factories import ReleaseFactory

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The per-voter counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def release(db):
    # Published in the past: catalogue's ReleaseDetailView builds its published() queryset once,
    # at import, so a release published after the first request would not be found.
    return ReleaseFactory(
        title="Drive (Original Motion Picture Soundtrack)",
        slug="drive",
        published_at=timezone.now() - timedelta(days=1),
    )


def reader_client(release, *, address="203.0.113.7", **kwargs):
    """A browser that has opened the release page, so it holds a voter cookie."""
    client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=address, **kwargs)
    response = client.get(release.get_absolute_url())
    assert response.status_code == 200
    assert "nd_voter" in response.cookies
    return client


@pytest.fixture
def reader(release):
    return reader_client(release)
