"""Checkout through the real stripe library against the local fake Stripe API."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from shop import services
from shop.cart import Cart
from shop.models import Order, Stock
from tests.factories import ShippingRateFactory, pressing_on_sale
from tests.shop.conftest import payload, post_event


class SessionDict(dict):
    """A plain dict standing in for request.session."""

    modified = False


def cart_with(*items):
    cart = Cart(SessionDict())
    for pressing, quantity in items:
        cart.set(pressing.pk, quantity)
    return cart


@pytest.mark.django_db
def test_checkout_creates_session_from_our_prices(fake_stripe):
    pressing = pressing_on_sale(amount=Decimal("28.60"), on_hand=5)
    ShippingRateFactory(amount=Decimal("8.00"), countries="GB, IE")
    start = services.start_checkout(cart=cart_with((pressing, 2)), email="A@Example.com")

    order = start.order
    session = fake_stripe.sessions[order.stripe_session_id]
    assert start.redirect_url == session["url"]
    item = session["line_items_sent"][0]
    assert item["price_data"]["unit_amount"] == "2860"
    assert item["quantity"] == "2"
    assert (
        session["shipping_options_sent"][0]["shipping_rate_data"]["fixed_amount"]["amount"] == "800"
    )
    assert session["metadata"] == {"order_id": str(order.pk), "order_number": order.number}
    assert session["customer_email"] == "a@example.com"
    assert session["expires_at"] < int(order.expires_at.timestamp())
    assert order.total == Decimal("57.20")
    stock = Stock.objects.get(pressing=pressing)
    assert (stock.on_hand, stock.reserved) == (5, 2)


@pytest.mark.django_db
def test_a_cart_of_several_pressings_holds_each_and_offers_only_active_rates(fake_stripe):
    """The cart's pressings and their stock rows are read by statements compiled once for each
    number of pressings: carts of one, three and then two pressings each get their own."""
    pressings = [pressing_on_sale(amount=Decimal(f"2{n}.00"), on_hand=4) for n in range(3)]
    ShippingRateFactory(name="Royal Mail", amount=Decimal("4.00"))
    ShippingRateFactory(name="Old courier", amount=Decimal("9.00"), active=False)
    for cart in ([pressings[0]], pressings, pressings[1:]):
        start = services.start_checkout(cart=cart_with(*((p, 1) for p in cart)), email=None)
        session = fake_stripe.sessions[start.order.stripe_session_id]
        assert [item["price_data"]["unit_amount"] for item in session["line_items_sent"]] == [
            f"2{pressings.index(p)}00" for p in cart
        ]
        assert [
            o["shipping_rate_data"]["display_name"] for o in session["shipping_options_sent"]
        ] == ["Royal Mail"]
    held = dict(Stock.objects.values_list("pressing_id", "reserved"))
    assert [held[p.pk] for p in pressings] == [2, 2, 2]


@pytest.mark.django_db
def test_a_checkout_sends_as_many_statements_for_three_pressings_as_for_one(fake_stripe):
    """The lines, their stock rows and their moves go in the reservation's messages, whatever
    the cart holds; every line is written and every copy held."""
    one = pressing_on_sale(on_hand=4)
    three = [pressing_on_sale(on_hand=4) for _ in range(3)]
    ShippingRateFactory()
    services.start_checkout(cart=cart_with((one, 1)), email=None)  # compiles the statements
    services.start_checkout(cart=cart_with(*((p, 1) for p in three)), email=None)

    counts = []
    for cart in (cart_with((one, 2)), cart_with(*((p, 2) for p in three))):
        with CaptureQueriesContext(connection) as captured:
            order = services.start_checkout(cart=cart, email=None).order
        counts.append(len(captured.captured_queries))
        assert order.lines.count() == len(cart.quantities())
    assert counts[0] == counts[1]
    held = dict(Stock.objects.values_list("pressing_id", "reserved"))
    assert [held[p.pk] for p in (one, *three)] == [3, 3, 3, 3]


@pytest.mark.django_db(transaction=True)
def test_stock_rows_are_locked_only_inside_a_transaction():
    pressing = pressing_on_sale(on_hand=1)
    with pytest.raises(TransactionManagementError):
        services._lock_stock([pressing.pk])
    with transaction.atomic():
        assert services._lock_stock([pressing.pk])[pressing.pk].on_hand == 1
    assert services._lock_stock([]) == {}


@pytest.mark.django_db
def test_an_order_number_already_taken_is_drawn_again(fake_stripe, monkeypatch):
    """Six characters of 25 letters: a shop with many orders draws a used number now and then."""
    pressing = pressing_on_sale(on_hand=5)
    taken = services.start_checkout(cart=cart_with((pressing, 1)), email=None).order
    draws = iter([taken.number, taken.number, "ND-FRSH-01"])
    monkeypatch.setattr(services, "new_order_number", lambda: next(draws))

    order = services.start_checkout(cart=cart_with((pressing, 2)), email=None).order

    assert order.number == "ND-FRSH-01"
    assert next(draws, None) is None  # the third draw was the first free number
    assert Order.objects.get(pk=taken.pk).number == taken.number
    assert list(order.lines.values_list("quantity", flat=True)) == [2]
    assert order.history.count() == 1
    # The draws that failed held nothing: only the two orders' copies are reserved.
    assert Stock.objects.get(pressing=pressing).reserved == 3


@pytest.mark.django_db
def test_an_order_number_taken_every_draw_fails_the_checkout_and_holds_nothing(
    fake_stripe, monkeypatch
):
    pressing = pressing_on_sale(on_hand=5)
    taken = services.start_checkout(cart=cart_with((pressing, 1)), email=None).order
    monkeypatch.setattr(services, "new_order_number", lambda: taken.number)

    with pytest.raises(IntegrityError):
        services.start_checkout(cart=cart_with((pressing, 2)), email=None)

    assert Order.objects.count() == 1
    assert Stock.objects.get(pressing=pressing).reserved == 1


@pytest.mark.django_db
def test_paying_takes_the_copies_once_and_emails_once(fake_stripe, client):
    pressing = pressing_on_sale(on_hand=5)
    ShippingRateFactory(amount=Decimal("8.00"))
    order = services.start_checkout(cart=cart_with((pressing, 2))).order
    session = fake_stripe.complete(order.stripe_session_id)
    event = payload("checkout.session.completed", order=order, session=session)

    for _ in range(3):
        assert post_event(client, event).status_code == 200

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.email == "buyer@example.com"
    assert order.shipping == Decimal("8.00")
    assert order.total == Decimal("65.20")
    stock = Stock.objects.get(pressing=pressing)
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject


@pytest.mark.django_db
def test_stripe_down_releases_the_hold_and_says_so(fake_stripe, client):
    fake_stripe.fail = True
    pressing = pressing_on_sale(on_hand=3)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 2})

    response = client.post("/checkout/", {"email": ""})

    assert response.status_code == 503
    assert b"Payment provider unavailable" in response.content
    assert Stock.objects.get(pressing=pressing).reserved == 0
    order = Order.objects.get()
    assert order.status == Order.Status.CANCELLED
    assert fake_stripe.count("POST", "/v1/checkout/sessions") == 2  # one retry, then give up
    assert client.session["cart"] == {str(pressing.pk): 2}


@pytest.mark.django_db
def test_stripe_slow_times_out_and_releases_the_hold(fake_stripe, settings):
    settings.STRIPE_TIMEOUT = 0.3
    fake_stripe.slow = 1.0
    pressing = pressing_on_sale(on_hand=3)
    with pytest.raises(services.PaymentProviderUnavailable):
        services.start_checkout(cart=cart_with((pressing, 1)))
    assert Stock.objects.get(pressing=pressing).reserved == 0
    assert Order.objects.get().status == Order.Status.CANCELLED


@pytest.mark.django_db
def test_sold_out_checkout_makes_nothing(fake_stripe):
    pressing = pressing_on_sale(on_hand=1)
    with pytest.raises(services.CheckoutError, match="only 1"):
        services.start_checkout(cart=cart_with((pressing, 2)))
    assert not Order.objects.exists()
    assert fake_stripe.count("POST", "/v1/checkout/sessions") == 0


@pytest.mark.django_db
def test_per_customer_limit_counts_earlier_orders(fake_stripe):
    pressing = pressing_on_sale(on_hand=25, per_customer_limit=1, per_order_limit=1)
    with pytest.raises(services.CheckoutError, match="email"):
        services.start_checkout(cart=cart_with((pressing, 1)))
    services.start_checkout(cart=cart_with((pressing, 1)), email="fan@example.com")
    with pytest.raises(services.CheckoutError, match="limited to 1 per customer"):
        services.start_checkout(cart=cart_with((pressing, 1)), email="FAN@example.com")
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_one_network_holds_at_most_its_limit_of_checkouts(fake_stripe, settings):
    settings.SHOP_HOLDS_PER_ADDRESS = 2
    pressing = pressing_on_sale(on_hand=50)
    office, home = "a" * 64, "b" * 64
    held = [
        services.start_checkout(cart=cart_with((pressing, 1)), address_hash=office).order
        for _ in range(2)
    ]
    with pytest.raises(services.CheckoutError, match=r"at most 2 at once"):
        services.start_checkout(cart=cart_with((pressing, 1)), address_hash=office)
    # Refused: no order, no copy held, no Checkout Session opened.
    assert Order.objects.count() == 2
    assert Stock.objects.get(pressing=pressing).reserved == 2
    assert fake_stripe.count("POST", "/v1/checkout/sessions") == 2

    # Another network is not held back.
    services.start_checkout(cart=cart_with((pressing, 1)), address_hash=home)
    # A cancelled checkout gives its place back, and so does an expired one.
    services.cancel_checkout(order=held[0])
    services.start_checkout(cart=cart_with((pressing, 1)), address_hash=office)
    Order.objects.filter(pk=held[1].pk).update(expires_at=held[1].created_at)
    services.start_checkout(cart=cart_with((pressing, 1)), address_hash=office)
    assert Order.objects.filter(address_hash=office).count() == 4


@pytest.mark.django_db
def test_the_checkout_view_stores_the_networks_hash_not_the_address(fake_stripe, client, settings):
    from ratings.voters import address_hash

    settings.SHOP_HOLDS_PER_ADDRESS = 1
    pressing = pressing_on_sale(on_hand=5)
    for _ in range(2):
        client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
        answer = client.post("/checkout/", {"email": ""}, REMOTE_ADDR="198.51.100.7")
    order = Order.objects.get()
    assert order.address_hash == address_hash("198.51.100.7")
    assert "198.51.100.7" not in str(Order.objects.values().get())
    assert answer.status_code == 302 and answer.url == "/cart/"
    page = client.get("/cart/")
    assert "Too many checkouts from your network" in page.content.decode()


@pytest.mark.django_db
def test_expired_checkout_gives_copies_back(fake_stripe):
    from datetime import timedelta

    from django.utils import timezone

    pressing = pressing_on_sale(on_hand=2)
    order = services.start_checkout(cart=cart_with((pressing, 2))).order
    assert services.expire_reservations() == 0
    later = timezone.now() + timedelta(minutes=40)
    assert services.expire_reservations(now=later) == 1
    assert services.expire_reservations(now=later) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert Stock.objects.get(pressing=pressing).reserved == 0
