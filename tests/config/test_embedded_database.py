"""The embedded PostgreSQL starts from an empty folder, keeps its data, and stops cleanly."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import uuid
from pathlib import Path

import pytest
import psycopg
from config.database import embedded_database

settings = embedded_database(Path(sys.argv[1]))
with psycopg.connect(dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
                     port=settings["PORT"] or None, autocommit=True) as conn:
    conn.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
    conn.execute("INSERT INTO kept VALUES (1)")
    print(conn.execute("SELECT count(*) FROM kept").fetchone()[0])
"""


def run(data_dir):
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data_dir)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )


@pytest.fixture
def data_dir():
    # Under .data/ rather than pytest's private temporary folder: as root, the server runs as an
    # unprivileged user who must be able to reach its data directory.
    folder = BASE_DIR / ".data" / f"test-{uuid.uuid4().hex[:8]}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_embedded_database_starts_keeps_data_and_stops(data_dir):
    first = run(data_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "1"
    # The last process using it has exited, so the server has stopped cleanly.
    assert not (data_dir / "postmaster.pid").exists()

    second = run(data_dir)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "2"
    assert not (data_dir / "postmaster.pid").exists()
