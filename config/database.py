"""The database settings: DATABASE_URL when given, else an embedded PostgreSQL under .data/."""

import logging
import warnings
from pathlib import Path

EMBEDDED_NAME = "needledrop"

logger = logging.getLogger(__name__)


def embedded_database(data_dir: Path) -> dict:
    """Start (or join) the embedded PostgreSQL in data_dir and return Django's settings for it.

    The server keeps its data between runs and stops when the last process using it exits.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback it picks is fine.
        warnings.simplefilter("ignore")
        import pgserver

        logging.getLogger("pgserver").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_NAME}';")  # noqa: S608 (a constant)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }
