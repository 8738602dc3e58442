"""The database settings: DATABASE_URL when given, else an embedded PostgreSQL under .data/."""

import json
import logging
import os
import select
import warnings
from pathlib import Path

import psycopg
from psycopg_pool import ConnectionPool

# The benchmark keeps its large catalogue in a database of its own beside the development one.
EMBEDDED_NAME = os.environ.get("EMBEDDED_DATABASE_NAME", "needledrop")

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
        _forget_dead_processes(data_dir / ".handle_pids.json")
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


def check_pooled_connection(conn):
    """The pool's check of a connection before it is lent: raise if the server has dropped it.

    An idle connection in the pool has nothing to read from the server. When the server goes
    away (a restart, a crash, an administrator ending the session), it sends its last message or
    closes the socket, and the socket turns readable: only then is the connection checked with an
    empty query, which raises for a dead one so the pool discards it. A healthy connection costs a
    poll of its socket instead of a round trip on every request (docs/performance.md).
    """
    if conn.closed:
        raise psycopg.OperationalError("the connection is closed")
    waiting = select.poll()
    waiting.register(conn.fileno(), select.POLLIN)
    if waiting.poll(0):
        ConnectionPool.check_connection(conn)


def _forget_dead_processes(handle_list):
    """Drop processes that died without saying goodbye (a SIGKILL, say) from pgserver's list.

    The server stops when the last listed process exits; a dead entry would keep it running forever.
    """
    try:
        pids = json.loads(handle_list.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if _is_alive(pid)]
    if alive != pids:
        handle_list.write_text(json.dumps(alive))


def _is_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
