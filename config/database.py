"""The database settings: DATABASE_URL when given, else an embedded PostgreSQL under .data/."""

import json
import logging
import os
import select
import warnings
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

# The benchmark keeps its large catalogue in a database of its own beside the development one.
EMBEDDED_NAME = os.environ.get("EMBEDDED_DATABASE_NAME", "needledrop")


def _shared_buffers_mb():
    """A quarter of the machine's memory, between PostgreSQL's default 128 MB and 1 GB."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError):
        return 128
    return max(128, min(1024, memory // 4 // 2**20))


# The embedded server is sized as the README asks of a production one: PostgreSQL scans a table
# larger than a quarter of shared_buffers through a small ring of buffers, and at 100,000 releases
# (a 140 MB release table) the default 128 MB made every common-word search read its rows from the
# operating system again (docs/performance.md). The buffers are shared memory the server takes as
# pages are used, not at once. Applied with ALTER SYSTEM, they take effect from the server's next
# start: the server stops when its last process exits, so from the next command on.
EMBEDDED_SETTINGS = {"shared_buffers": f"{_shared_buffers_mb()}MB"}

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
    _configure(data_dir, info)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def _configure(data_dir, info):
    """Write EMBEDDED_SETTINGS into the server's own configuration, unless it holds them already.

    ALTER SYSTEM keeps them in postgresql.auto.conf, one ``name = 'value'`` line each; reading
    that file first spares every process's start a connection.
    """
    try:
        kept = (data_dir / "postgresql.auto.conf").read_text()
    except OSError:
        kept = ""
    wanted = {
        name: value
        for name, value in EMBEDDED_SETTINGS.items()
        if f"{name} = '{value}'" not in kept
    }
    if not wanted:
        return
    with psycopg.connect(
        dbname="postgres",
        user="postgres",
        host=str(info.socket_dir),
        port=info.port or None,
        autocommit=True,
    ) as conn:
        for name, value in wanted.items():
            conn.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
            )


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
