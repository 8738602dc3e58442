import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches, as a freshly started server would."""
    from django.core.cache import caches

    for alias in caches.settings:
        caches[alias].clear()
