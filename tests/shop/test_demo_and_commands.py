import re
import tokenize
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from catalogue.signals import demo_loaded
from shop import services
from shop.models import Order, Price, ShippingRate, Stock
from shop.money import format_money, from_minor_units, to_minor_units
from tests.factories import PressingFactory, pressing_on_sale
from tests.shop.conftest import payload, post_event
from tests.shop.test_checkout import cart_with

BASE_DIR = Path(__file__).resolve().parents[2]
FLOATY = {"float", "FloatField"}


@pytest.mark.django_db
def test_demo_data_is_idempotent():
    pink = PressingFactory(sku="INV-DRIVE-2LP-PNK")
    other = PressingFactory(sku="SOMETHING-NEW")
    demo_loaded.send(sender=None)
    Price.objects.filter(pressing=pink).update(amount=Decimal("30.00"))
    demo_loaded.send(sender=None)

    assert Price.objects.get(pressing=pink).amount == Decimal("30.00")  # staff edits survive
    stock = Stock.objects.get(pressing=pink)
    assert (stock.on_hand, stock.per_customer_limit) == (25, 1)
    assert Price.objects.filter(pressing=other).exists()
    assert ShippingRate.objects.count() == 4


def test_money_conversions():
    assert to_minor_units(Decimal("28.60")) == 2860
    assert to_minor_units(Decimal("28.605")) == 2861
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert from_minor_units(2860) == Decimal("28.60")
    assert format_money(Decimal("1028.6")) == "$1,028.60"
    with pytest.raises(TypeError):
        to_minor_units(28.6)


def test_money_is_never_a_float():
    """No float literal, float() call or FloatField anywhere in the shop's code."""
    found = []
    for path in (BASE_DIR / "shop").rglob("*.py"):
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                is_float = token.type == tokenize.NUMBER and re.search(r"[.eE]", token.string)
                if is_float or (token.type == tokenize.NAME and token.string in FLOATY):
                    found.append(f"{path.name}:{token.start[0]} {token.string}")
    assert found == []


@pytest.mark.django_db
def test_resend_confirmation(fake_stripe, client):
    order = services.start_checkout(cart=cart_with((pressing_on_sale(), 1))).order
    post_event(
        client,
        payload(
            "checkout.session.completed",
            order=order,
            session=fake_stripe.complete(order.stripe_session_id),
        ),
    )
    call_command("resend_confirmation", order.number.lower(), stdout=StringIO())
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_reconcile_finds_and_fixes_a_lost_payment(fake_stripe):
    order = services.start_checkout(cart=cart_with((pressing_on_sale(on_hand=3), 1))).order
    fake_stripe.complete(order.stripe_session_id)  # paid at Stripe; the webhook never arrived
    out = StringIO()
    call_command("reconcile_stripe", stdout=out)
    assert f"paid session {order.stripe_session_id}: {order.number}" in out.getvalue()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    call_command("reconcile_stripe", "--fix", stdout=StringIO())
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    out = StringIO()
    call_command("reconcile_stripe", stdout=out)
    assert "0 differences" in out.getvalue()


@pytest.mark.django_db
def test_expire_reservations_command_is_safe_to_repeat(fake_stripe):
    call_command("expire_reservations", stdout=StringIO())
    call_command("expire_reservations", stdout=StringIO())
