"""The pool's check before lending a connection: a poll of the socket, a query only when needed."""

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from config.database import check_pooled_connection
from tests.database import connection_params, terminate

pytestmark = pytest.mark.django_db(transaction=True)


def connect():
    return psycopg.connect(**connection_params(), autocommit=True)


def messages_sent(conn, check, tmp_path):
    """What conn sent to the server while check ran, from libpq's protocol trace."""
    trace = tmp_path / "trace"
    with trace.open("w") as out:
        conn.pgconn.trace(out.fileno())
        try:
            check(conn)
        finally:
            conn.pgconn.untrace()
    return trace.read_text()


def test_a_healthy_idle_connection_passes_without_a_round_trip(tmp_path):
    with connect() as conn:
        conn.execute("SELECT 1")
        assert messages_sent(conn, check_pooled_connection, tmp_path) == ""
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_the_trace_sees_a_round_trip(tmp_path):
    # psycopg's own check sends an empty query: the trace above would see one.
    with connect() as conn:
        assert "Query" in messages_sent(conn, ConnectionPool.check_connection, tmp_path)


def test_a_connection_the_server_ended_fails_the_check():
    with connect() as conn:
        terminate(conn.info.backend_pid)
        with pytest.raises(psycopg.OperationalError):
            check_pooled_connection(conn)


def test_a_closed_connection_fails_the_check():
    conn = connect()
    conn.close()
    with pytest.raises(psycopg.OperationalError):
        check_pooled_connection(conn)


def test_the_pool_replaces_a_connection_the_server_ended():
    with ConnectionPool(
        kwargs={**connection_params(), "autocommit": True},
        min_size=1,
        max_size=1,
        check=check_pooled_connection,
        open=True,
        timeout=10,
    ) as pool:
        with pool.connection() as conn:
            first_pid = conn.info.backend_pid
        with pool.connection() as conn:
            assert conn.info.backend_pid == first_pid  # kept: the check found nothing wrong
            terminate(conn.info.backend_pid)
        with pool.connection() as conn:
            # Lent after the restart: a working connection, not the dead one.
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert conn.info.backend_pid != first_pid
