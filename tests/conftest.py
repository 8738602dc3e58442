import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
