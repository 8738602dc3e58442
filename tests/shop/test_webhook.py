"""POST /stripe/webhook/: signatures, exactly-once effects, any order of arrival."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from shop import services
from shop.models import Order, Stock, StripeEvent
from tests.factories import pressing_on_sale
from tests.shop.conftest import WEBHOOK_SECRET, payload, post_event
from tests.shop.test_checkout import cart_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(fake_stripe):
    pressing = pressing_on_sale(on_hand=4)
    return services.start_checkout(cart=cart_with((pressing, 2))).order


def paid_event(fake_stripe, order, name="checkout.session.completed", **changes):
    session = fake_stripe.complete(order.stripe_session_id)
    return payload(name, order=order, session=session, **changes)


def stock_of(order):
    stock = Stock.objects.get(pressing=order.lines.get().pressing)
    return stock.on_hand, stock.reserved


def assert_untouched(order):
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert stock_of(order) == (4, 2)
    assert not StripeEvent.objects.exists()
    assert mail.outbox == []


def test_wrong_secret_is_refused(client, fake_stripe, order):
    response = post_event(client, paid_event(fake_stripe, order), secret="whsec_someone_else")
    assert response.status_code == 400
    assert_untouched(order)


def test_missing_signature_is_refused(client, fake_stripe, order):
    body = json.dumps(paid_event(fake_stripe, order))
    response = client.post("/stripe/webhook/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert_untouched(order)


def test_stale_signature_is_refused(client, fake_stripe, order):
    response = post_event(client, paid_event(fake_stripe, order), timestamp=time.time() - 301)
    assert response.status_code == 400
    assert_untouched(order)


def test_one_altered_byte_is_refused(client, fake_stripe, order):
    body = json.dumps(paid_event(fake_stripe, order))
    timestamp = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    altered = body.replace("Ada Buyer", "Ada Buyes", 1)
    assert len(altered) == len(body)
    assert altered != body
    response = client.post(
        "/stripe/webhook/",
        data=altered,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={mac.hexdigest()}",
    )
    assert response.status_code == 400
    assert_untouched(order)


def test_rotated_secret_with_two_signatures_verifies(client, fake_stripe, order):
    body = json.dumps(paid_event(fake_stripe, order))
    timestamp = int(time.time())

    def sign(secret):
        return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()

    header = f"t={timestamp},v1={sign('whsec_old_one')},v1={sign(WEBHOOK_SECRET)}"
    response = client.post(
        "/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_not_json_is_refused(client, order):
    from shop.payments import sign_payload

    response = client.post(
        "/stripe/webhook/",
        data=b"\xff\xfe not json",
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(b"x"),
    )
    assert response.status_code == 400


def test_event_not_stored_is_not_acknowledged(client, fake_stripe, order, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(StripeEvent.objects, "create", database_down)
    response = post_event(client, paid_event(fake_stripe, order))
    assert response.status_code == 503
    monkeypatch.undo()
    assert_untouched(order)
    # Stripe's retry then goes through.
    assert post_event(client, paid_event(fake_stripe, order)).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_async_payment_waits_then_pays(client, fake_stripe, order):
    session = fake_stripe.complete(order.stripe_session_id, payment_status="unpaid")
    post_event(client, payload("checkout.session.completed.async", order=order, session=session))
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING
    assert stock_of(order) == (4, 2)
    assert services.expire_reservations(now=timezone.now() + timedelta(hours=2)) == 0

    post_event(
        client, payload("checkout.session.async_payment_succeeded", order=order, session=session)
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert stock_of(order) == (2, 0)
    assert len(mail.outbox) == 1


def test_async_success_before_completed_ends_paid(client, fake_stripe, order):
    session = fake_stripe.complete(order.stripe_session_id)
    post_event(
        client, payload("checkout.session.async_payment_succeeded", order=order, session=session)
    )
    post_event(
        client,
        payload(
            "checkout.session.completed.async",
            order=order,
            session=session,
            payment_status="unpaid",
        ),
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert stock_of(order) == (2, 0)


def test_async_failure_gives_copies_back(client, fake_stripe, order):
    session = fake_stripe.complete(order.stripe_session_id, payment_status="unpaid")
    post_event(client, payload("checkout.session.completed.async", order=order, session=session))
    post_event(
        client, payload("checkout.session.async_payment_failed", order=order, session=session)
    )
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock_of(order) == (4, 0)
    assert mail.outbox == []


def test_expired_session_releases_and_a_late_expiry_changes_nothing(client, fake_stripe, order):
    post_event(client, payload("checkout.session.expired", order=order))
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock_of(order) == (4, 0)


def test_expired_after_paid_is_ignored(client, fake_stripe, order):
    post_event(client, paid_event(fake_stripe, order))
    post_event(client, payload("checkout.session.expired", order=order))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert stock_of(order) == (2, 0)


def test_refunds_full_and_partial(client, fake_stripe, order):
    post_event(client, paid_event(fake_stripe, order))
    order.refresh_from_db()
    partial = payload("charge.refunded", order=order, event_id="evt_partial", amount_refunded=1000)
    post_event(client, partial)
    order.refresh_from_db()
    assert order.status == Order.Status.PARTLY_REFUNDED
    assert order.amount_refunded == Decimal("10.00")
    full = payload("charge.refunded", order=order, event_id="evt_full", amount_refunded=5720)
    post_event(client, full)
    post_event(client, partial | {"id": "evt_partial_late"})  # older news arriving late
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.amount_refunded == Decimal("57.20")


def test_late_payment_is_fulfilled_from_free_stock(client, fake_stripe, order):
    services.expire_reservations(now=timezone.now() + timedelta(hours=1))
    post_event(client, paid_event(fake_stripe, order))
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert stock_of(order) == (2, 0)
    assert len(mail.outbox) == 1


def test_late_payment_with_nothing_left_is_refunded_once(client, fake_stripe, order):
    services.expire_reservations(now=timezone.now() + timedelta(hours=1))
    pressing = order.lines.get().pressing
    other = services.start_checkout(cart=cart_with((pressing, 4)), email="quick@example.com").order
    event = paid_event(fake_stripe, order)

    for _ in range(3):
        assert post_event(client, event).status_code == 200
    services.retry_pending_effects()

    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.amount_refunded == order.total
    [refund] = fake_stripe.refunds.values()
    assert refund["amount"] == 5720
    assert stock_of(other) == (4, 4)
    assert [m.subject for m in mail.outbox] == [f"Needle Drop order {order.number}: refunded"]
    page = client.get(order.get_absolute_url())
    assert b"sold out in the meantime" in page.content
