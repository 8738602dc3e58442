"""What the shop logs: every payment, webhook and stock decision names its order; no secrets,
email addresses or postal addresses ever reach the log."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shop import services
from shop.models import Order
from tests.factories import pressing_on_sale
from tests.shop.conftest import WEBHOOK_SECRET, payload, post_event
from tests.shop.test_checkout import cart_with

pytestmark = pytest.mark.django_db


def shop_records(caplog):
    return [r for r in caplog.records if r.name.startswith("shop.services")]


def test_each_decision_is_logged_with_its_order_and_nothing_private(fake_stripe, caplog):
    caplog.set_level(logging.INFO, logger="shop")
    pressing = pressing_on_sale(on_hand=2)
    client = Client()
    paid = services.start_checkout(cart=cart_with((pressing, 1)), email="ada@example.com").order
    session = fake_stripe.complete(paid.stripe_session_id, email="ada@example.com")
    post_event(client, payload("checkout.session.completed", order=paid, session=session))
    walked = services.start_checkout(cart=cart_with((pressing, 1)), email="bo@example.com").order
    with pytest.raises(services.CheckoutError):
        services.start_checkout(cart=cart_with((pressing, 1)), email="cy@example.com")
    services.expire_reservations(now=timezone.now() + timedelta(hours=1))
    late = fake_stripe.complete(walked.stripe_session_id, email="bo@example.com")
    services.start_checkout(cart=cart_with((pressing, 1)), email="di@example.com")
    post_event(
        client,
        payload("checkout.session.completed", order=walked, session=late, event_id="evt_late"),
    )

    records = shop_records(caplog)
    by_order = {}
    for record in records:
        assert hasattr(record, "order"), record.getMessage()
        by_order.setdefault(record.order, []).append(record.getMessage())
    assert Order.objects.get(pk=paid.pk).status == Order.Status.PAID
    assert any("reserved" in m for m in by_order[paid.number])
    assert any("applied checkout.session.completed" in m for m in by_order[paid.number])
    assert any(m.endswith(" paid") for m in by_order[paid.number])
    assert any("confirmation email sent" in m for m in by_order[paid.number])
    assert any("expired" in m for m in by_order[walked.number])
    assert any("late payment refunded" in m for m in by_order[walked.number])
    assert by_order[None] == ["checkout refused, nothing held"]

    logged = "\n".join(
        f"{r.getMessage()} {vars(r)}" for r in caplog.records if r.name.startswith("shop")
    )
    for private in (
        WEBHOOK_SECRET,
        "sk_test_fake",
        "@example.com",
        "Coldharbour",
        "SE5 9NR",
        paid.access_key,
    ):
        assert private not in logged
