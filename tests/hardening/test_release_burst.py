"""Release day: 300 copies, 500 buyers at once through the real checkout over HTTP.

Every buyer is a browser of its own (cookies, CSRF token) against gunicorn with the production
settings; checkout opens real Checkout Sessions at the fake Stripe API, and payments come back as
signed webhooks. Nothing is oversold, stock never goes below zero, and no request gets a 5xx.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.hardening.conftest import deliver, new_pressing, paid_event, stripe_env
from tests.hardening.stack import Visitor

pytestmark = pytest.mark.race

COPIES = 300
BUYERS = 500
ABANDONED = 30
THREADS = 50
DEADLINE_SECONDS = 150


class Burst:
    """Buyers on a thread pool, each a fresh browser; every HTTP status is kept."""

    def __init__(self, web, stripe, pressing_id, slug, stop_at):
        self.web, self.stripe = web, stripe
        self.pressing_id, self.page = pressing_id, f"/releases/{slug}/"
        self.stop_at = stop_at
        self.statuses = []
        self.lock = threading.Lock()

    def _seen(self, answer):
        with self.lock:
            self.statuses.append(answer.status)
        return answer

    def fill_cart(self, n):
        """A fresh browser opens the release page and adds a copy: None if refused already."""
        if time.monotonic() > self.stop_at:
            return None
        # Each buyer on a network of their own, as the one proxy in front of the site reports it.
        visitor = Visitor(
            self.web,
            headers={"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"},
        )
        self._seen(visitor.get(self.page))
        added = self._seen(
            visitor.post("/cart/add/", {"pressing": self.pressing_id, "quantity": 1})
        )
        return (n, visitor) if added.status == 302 and added.location == "/cart/" else None

    def checkout(self, buyer):
        """('session', id) when checkout reached Stripe, ('sold out', ...) when told so."""
        n, visitor = buyer
        checkout = self._seen(visitor.post("/checkout/", {"email": f"fan{n}@example.com"}))
        if checkout.status == 302 and checkout.location.startswith(f"{self.stripe.base}/pay/"):
            return ("session", checkout.location.rsplit("/", 1)[1])
        if checkout.status == 302 and checkout.location == "/cart/":
            told = self._seen(visitor.get("/cart/"))
            return ("sold out" if "sold out" in told.text else "refused", told.status)
        return ("unexpected", checkout.status)

    def run(self, numbers):
        """Everyone fills a cart while copies are free, then everyone checks out at once."""
        with ThreadPoolExecutor(THREADS) as pool:
            buyers = list(pool.map(self.fill_cart, numbers))
            assert None not in buyers  # every cart was filled, so checkout is the real race
            return list(pool.map(self.checkout, buyers))

    def pay(self, session_ids):
        stripe = Visitor(self.web, user_agent="Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(
                pool.map(lambda sid: deliver(stripe, paid_event(self.stripe, sid)), session_ids)
            )
        return [answer.status for answer in answers]


class StockWatch(threading.Thread):
    """Reads the stock row over and over while the burst runs: the lowest free count seen."""

    def __init__(self, database, pressing_id):
        super().__init__(daemon=True)
        self.database, self.pressing_id = database, pressing_id
        self.samples = []
        self.done = threading.Event()

    def stop(self):
        self.done.set()
        self.join()

    def run(self):
        with psycopg.connect(self.database.url, autocommit=True) as conn:
            while not self.done.is_set():
                self.samples.append(
                    conn.execute(
                        "SELECT on_hand, reserved FROM shop_stock WHERE pressing_id = %s",
                        [self.pressing_id],
                    ).fetchone()
                )
                time.sleep(0.02)


def sell_out(burst, db, web, pressing_id, first):
    """Pay, abandon and expire the first wave's checkouts, then sell the freed copies again."""
    sessions = kinds(first, "session")
    assert len(sessions) == COPIES, {kind for kind, _ in first}
    assert len(kinds(first, "sold out")) == BUYERS - COPIES, [
        r for r in first if r[0] not in ("session", "sold out")
    ]
    assert db.sql("SELECT on_hand, reserved FROM shop_stock WHERE pressing_id = %s", [pressing_id])[
        0
    ] == (COPIES, COPIES)

    # Most pay; some walk away and their copies come back when the reservations expire.
    paid, walked_away = sessions[ABANDONED:], sessions[:ABANDONED]
    assert set(burst.pay(paid)) == {200}
    db.sql(
        "UPDATE shop_order SET expires_at = now() - interval '1 minute'"
        " WHERE stripe_session_id = ANY(%s)",
        [walked_away],
    )
    # The command's summary is its last line; emails it retried for other orders print above it.
    summary = web.manage("expire_reservations").splitlines()[-1]
    assert summary.startswith(f"{ABANDONED} expired"), summary
    assert db.sql("SELECT on_hand, reserved FROM shop_stock WHERE pressing_id = %s", [pressing_id])[
        0
    ] == (COPIES - len(paid), 0)

    # A second wave of twice as many buyers races for exactly those copies, and pays.
    second = burst.run(range(BUYERS, BUYERS + 2 * ABANDONED))
    resold = kinds(second, "session")
    assert len(resold) == ABANDONED, second
    assert set(burst.pay(resold)) == {200}

    # One who walked away pays after all, too late: refunded once through the API, not sold.
    late = walked_away[0]
    assert set(burst.pay([late])) == {200}
    return second, late


def kinds(results, kind):
    return [value for found, value in results if found == kind]


def test_release_burst_sells_exactly_the_copies(start_web, stack_database, stack_stripe):
    db = stack_database
    web = start_web(workers=4, TRUSTED_PROXY_COUNT="1", **stripe_env(stack_stripe))
    pressing_id, slug = new_pressing(web, on_hand=COPIES)
    began = time.monotonic()
    burst = Burst(web, stack_stripe, pressing_id, slug, stop_at=began + DEADLINE_SECONDS - 30)
    watch = StockWatch(db, pressing_id)
    watch.start()
    try:
        first = burst.run(range(BUYERS))
        second, late = sell_out(burst, db, web, pressing_id, first)
    finally:
        watch.stop()
    assert time.monotonic() - began < DEADLINE_SECONDS

    assert [s for s in burst.statuses if s >= 500] == []
    assert len(kinds(second, "sold out")) == ABANDONED

    orders = db.sql(
        "SELECT o.status, sum(l.quantity) FROM shop_order o JOIN shop_orderline l"
        " ON l.order_id = o.id WHERE l.pressing_id = %s GROUP BY o.status",
        [pressing_id],
    )
    assert dict(orders) == {"paid": COPIES, "cancelled": ABANDONED - 1, "refunded": 1}
    assert db.sql(
        "SELECT count(*) FROM shop_order o JOIN shop_orderline l ON l.order_id = o.id"
        " WHERE l.pressing_id = %s AND o.status = 'paid'",
        [pressing_id],
    ) == [(COPIES,)]
    stock = db.sql("SELECT on_hand, reserved FROM shop_stock WHERE pressing_id = %s", [pressing_id])
    assert stock == [(0, 0)]
    late_session = stack_stripe.sessions[late]
    refunds = [
        r
        for r in stack_stripe.refunds.values()
        if r["payment_intent"] == late_session["payment_intent"]
    ]
    assert [r["amount"] for r in refunds] == [late_session["amount_total"]]
    assert len(watch.samples) > 10
    assert min(on_hand - reserved for on_hand, reserved in watch.samples) >= 0

    # The database refuses a negative stock outright, whatever the code does.
    for change in ("on_hand = on_hand - 1", "reserved = on_hand + 1"):
        with pytest.raises(psycopg.errors.CheckViolation):
            db.sql(f"UPDATE shop_stock SET {change} WHERE pressing_id = %s", [pressing_id])  # noqa: S608
