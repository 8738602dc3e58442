"""Two writers racing for one row lock, the second started while the first holds it."""

import threading
import time

from django.db import connection, transaction


def waiting_on_a_lock():
    """Whether a connection to the test database is waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def second_waits_for_first(first, second, timeout=30):
    """Run first() in a transaction that stays open until second(), in its own transaction on
    another connection, is seen waiting for a lock; then let both commit. Returns the errors
    either raised, and fails if the second never waited."""
    first_done, first_may_commit = threading.Event(), threading.Event()
    errors = []

    def run(write, hold=None):
        try:
            with transaction.atomic():
                write()
                if hold:
                    first_done.set()
                    assert first_may_commit.wait(timeout=timeout)
        except Exception as error:  # returned to the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(first, True)),
        threading.Thread(target=run, args=(second,)),
    ]
    threads[0].start()
    assert first_done.wait(timeout=timeout), errors
    threads[1].start()
    deadline = time.monotonic() + timeout
    while not waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    waited = waiting_on_a_lock()
    first_may_commit.set()
    for thread in threads:
        thread.join(timeout=timeout)
    assert waited, "the second writer should wait for the first's lock"
    return errors
