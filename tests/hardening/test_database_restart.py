"""A database restart under load: only 503s while it is down, and recovery within seconds."""

import threading
import time

import pytest

from tests.hardening.stack import Database, Web

pytestmark = pytest.mark.race

PAGES = ["/", "/releases/", "/releases/drive-original-motion-picture-soundtrack/", "/healthz"]


@pytest.fixture
def stack():
    database = Database()
    web = Web(database)
    web.manage("migrate", "--noinput")
    web.manage("load_demo")
    web.manage("collectstatic", "--noinput")
    web.start()
    yield database, web
    web.stop()
    database.close()


def test_pages_answer_503_during_a_restart_and_recover(stack):
    database, web = stack
    outcomes = []  # (seconds since start, status, Retry-After)
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + 14

    def browse(offset):
        n = offset
        while time.monotonic() < stop_at:
            status, headers = web.get(PAGES[n % len(PAGES)])
            with lock:
                outcomes.append((time.monotonic() - started, status, headers.get("Retry-After")))
            n += 1

    threads = [threading.Thread(target=browse, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    down_at = time.monotonic() - started
    database.stop()
    time.sleep(3)
    database.start()
    up_at = time.monotonic() - started
    for thread in threads:
        thread.join()

    statuses = {status for _, status, _ in outcomes}
    assert statuses <= {200, 503}, sorted(statuses)
    assert all(retry == "5" for _, status, retry in outcomes if status == 503)
    before = [status for t, status, _ in outcomes if t < down_at]
    assert before and set(before) == {200}
    during = [status for t, status, _ in outcomes if down_at + 0.5 < t < up_at]
    assert 503 in during  # the outage was real and seen
    recovered = [status for t, status, _ in outcomes if t > up_at + 5]
    assert recovered and set(recovered) == {200}
