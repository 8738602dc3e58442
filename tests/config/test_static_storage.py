import json

import pytest

from config.static_storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"paths": {"css/site.css": "css/site.0123456789ab.css"}, "version": "1.1"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_static_address_carries_the_hash_from_the_manifest(storage):
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"


def test_an_address_is_worked_out_once_per_process(storage):
    storage.url("css/site.css")
    # The manifest is read when the process starts; a change to what was read is not looked at.
    storage.hashed_files["css/site.css"] = "css/site.ffffffffffff.css"
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert storage.url("css/site.css", force=True) == "/static/css/site.ffffffffffff.css"


def test_a_file_missing_from_the_manifest_still_fails_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match=r"js/missing\.js"):
            storage.url("js/missing.js")
