"""Real races: many threads, each with its own database connection, against real Postgres."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from shop import services
from shop.models import Order, Stock, StripeEvent
from tests.factories import pressing_on_sale
from tests.shop.conftest import payload, post_event
from tests.shop.test_checkout import cart_with

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]


def race(count, work, timeout=60):
    """Run work(i) in `count` threads released at the same moment; returns results or exceptions."""
    barrier = threading.Barrier(count, timeout=timeout)

    def run(i):
        try:
            barrier.wait()
            return work(i)
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=timeout))


def test_forty_buyers_for_five_copies(fake_stripe):
    pressing = pressing_on_sale(on_hand=5)
    seen_negative = []

    def buy(i):
        start = services.start_checkout(cart=cart_with((pressing, 1)), email=f"fan{i}@example.com")
        stock = Stock.objects.get(pressing=pressing)
        if stock.reserved > stock.on_hand:
            seen_negative.append(stock)
        return start.order

    results = race(40, buy)

    orders = [r for r in results if isinstance(r, Order)]
    refusals = [r for r in results if isinstance(r, services.CheckoutError)]
    assert len(orders) == 5
    assert len(refusals) == 35, [
        r for r in results if not isinstance(r, Order | services.CheckoutError)
    ]
    assert all("sold out" in str(r) for r in refusals)
    assert not seen_negative
    assert fake_stripe.count("POST", "/v1/checkout/sessions") == 5
    stock = Stock.objects.get(pressing=pressing)
    assert (stock.on_hand, stock.reserved) == (5, 5)

    # Three pay, two walk away; after expiry the two copies are for sale again.
    client = Client()
    for order in orders[:3]:
        order.refresh_from_db()
        session = fake_stripe.complete(order.stripe_session_id)
        assert (
            post_event(
                client,
                payload(
                    "checkout.session.completed",
                    order=order,
                    session=session,
                    event_id=f"evt_{order.number}",
                ),
            ).status_code
            == 200
        )
    released = services.expire_reservations(now=timezone.now() + timedelta(hours=1))
    assert released == 2
    stock.refresh_from_db()
    assert (stock.on_hand, stock.reserved) == (2, 0)
    assert Order.objects.filter(status=Order.Status.PAID).count() == 3


def test_one_network_checking_out_twenty_times_at_once_holds_its_limit(fake_stripe, settings):
    settings.SHOP_HOLDS_PER_ADDRESS = 3
    pressing = pressing_on_sale(on_hand=100)

    def buy(i):
        return services.start_checkout(cart=cart_with((pressing, 1)), address_hash="c" * 64).order

    results = race(20, buy)

    orders = [r for r in results if isinstance(r, Order)]
    refusals = [r for r in results if isinstance(r, services.CheckoutError)]
    assert len(orders) == 3
    assert len(refusals) == 17, [r for r in results if r not in orders + refusals]
    assert all("Too many checkouts from your network" in str(r) for r in refusals)
    assert Stock.objects.get(pressing=pressing).reserved == 3


def test_opposite_cart_orders_never_deadlock(fake_stripe):
    a = pressing_on_sale(on_hand=10)
    b = pressing_on_sale(on_hand=10)

    def buy(i):
        items = [(a, 1), (b, 1)] if i % 2 else [(b, 1), (a, 1)]
        return services.start_checkout(cart=cart_with(*items), email=f"f{i}@example.com").order

    results = race(24, buy)

    unexpected = [r for r in results if not isinstance(r, Order | services.CheckoutError)]
    assert unexpected == []  # a deadlock would surface here as a database error
    assert sum(isinstance(r, Order) for r in results) == 10
    for pressing in (a, b):
        stock = Stock.objects.get(pressing=pressing)
        assert (stock.on_hand, stock.reserved) == (10, 10)


def test_paid_event_delivered_ten_times_at_once(fake_stripe):
    pressing = pressing_on_sale(on_hand=3)
    order = services.start_checkout(cart=cart_with((pressing, 2))).order
    event = payload(
        "checkout.session.completed",
        order=order,
        session=fake_stripe.complete(order.stripe_session_id),
    )

    statuses = race(10, lambda i: post_event(Client(), event).status_code)
    later = [post_event(Client(), event).status_code for _ in range(2)]

    assert statuses + later == [200] * 12
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.history.filter(to_status=Order.Status.PAID).count() == 1
    stock = Stock.objects.get(pressing=pressing)
    assert (stock.on_hand, stock.reserved) == (1, 0)
    assert len(mail.outbox) == 1
    assert StripeEvent.objects.count() == 1


def test_expiry_run_twice_at_once_releases_once(fake_stripe):
    pressing = pressing_on_sale(on_hand=4)
    for i in range(4):
        services.start_checkout(cart=cart_with((pressing, 1)), email=f"e{i}@example.com")
    later = timezone.now() + timedelta(hours=1)

    released = race(4, lambda i: services.expire_reservations(now=later))

    assert sum(released) == 4
    stock = Stock.objects.get(pressing=pressing)
    assert (stock.on_hand, stock.reserved) == (4, 0)
