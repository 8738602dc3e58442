"""Connections of the test database's own, beside Django's: to end a session as a restart does."""

import time

import psycopg
from django.db import connection


def connection_params():
    """psycopg.connect()'s arguments for the test database, as Django connects to it."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return params


def terminate(pid, timeout=10):
    """End the database session of backend ``pid`` from another connection, as a restart does,
    and wait until it is gone."""
    with psycopg.connect(**connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + timeout
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the terminated session did not end"
            time.sleep(0.01)
