"""The README's backup commands work: pg_dump's custom format restores into an empty database."""

import subprocess
from pathlib import Path

import pgserver
import psycopg
import pytest

from tests.hardening.conftest import new_pressing
from tests.hardening.stack import Web

pytestmark = pytest.mark.race

BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
TABLES = [
    "catalogue_release",
    "catalogue_pressing",
    "shop_stock",
    "shop_order",
    "shop_orderline",
    "ratings_vote",
    "ratings_tally",
    "django_migrations",
]


def run(*command):
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def test_the_nightly_dump_restores_into_an_empty_database(stack_database, tmp_path):
    db = stack_database
    _, slug = new_pressing(Web(db), on_hand=7)
    dump = tmp_path / "needledrop.dump"
    restored = db.url.rsplit("/", 1)[0] + "/needledrop_restored"

    run(str(BIN / "pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", db.url)
    run(str(BIN / "createdb"), f"--maintenance-db={db.url}", "needledrop_restored")
    try:
        run(
            str(BIN / "pg_restore"),
            "--no-owner",
            "--exit-on-error",
            f"--dbname={restored}",
            str(dump),
        )
        with psycopg.connect(restored, autocommit=True) as copy:
            for table in TABLES:
                query = f"SELECT count(*) FROM {table}"  # noqa: S608 (names from the list above)
                assert copy.execute(query).fetchone() == tuple(db.sql(query)[0]), table
            stock = copy.execute(
                "SELECT s.on_hand FROM shop_stock s JOIN catalogue_pressing p"
                " ON p.id = s.pressing_id JOIN catalogue_release r ON r.id = p.release_id"
                " WHERE r.slug = %s",
                [slug],
            ).fetchall()
        assert stock == [(7,)]
        assert db.sql("SELECT count(*) FROM catalogue_release")[0][0] > 1
    finally:
        db.sql("DROP DATABASE IF EXISTS needledrop_restored")
