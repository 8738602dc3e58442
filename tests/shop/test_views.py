"""The cart, checkout and order pages as a shopper uses them."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from shop.models import Order, Stock
from tests.factories import ShippingRateFactory, pressing_on_sale

pytestmark = pytest.mark.django_db


def cart_of(client):
    return client.session.get("cart", {})


def test_add_change_remove(client, django_assert_max_num_queries):
    lp = pressing_on_sale(amount=Decimal("28.60"), on_hand=5)
    cd = pressing_on_sale(amount=Decimal("11.99"), on_hand=5)
    client.post("/cart/add/", {"pressing": lp.pk, "quantity": 2})
    client.post("/cart/add/", {"pressing": cd.pk, "quantity": 1})
    with django_assert_max_num_queries(4):
        page = client.get("/cart/")
    assert page.context["subtotal"] == Decimal("69.19")
    assert b"$69.19" in page.content
    assert b"$57.20" in page.content
    assert page.context["cart_count"] == 3

    client.post("/cart/update/", {"pressing": lp.pk, "quantity": 1})
    client.post("/cart/remove/", {"pressing": cd.pk})
    assert cart_of(client) == {str(lp.pk): 1}


def test_more_than_available_changes_nothing(client):
    pressing = pressing_on_sale(on_hand=3)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 2})
    response = client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 2}, follow=True)
    assert "Only 3 of" in response.content.decode()
    assert cart_of(client) == {str(pressing.pk): 2}


def test_per_order_limit_changes_nothing(client):
    pressing = pressing_on_sale(on_hand=30, per_order_limit=2)
    response = client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 3}, follow=True)
    assert "at most 2" in response.content.decode()
    assert cart_of(client) == {}


@pytest.mark.parametrize(
    "post",
    [
        {"quantity": "-1"},
        {"quantity": "0"},
        {"quantity": "1e9"},
        {"quantity": "99999999999999999999"},
        {"quantity": "two"},
        {"quantity": "1\x00"},
        {"quantity": "1", "price": "0.01"},
        {"quantity": "1", "unit_price": "1"},
        {"pressing": "999999", "quantity": "1"},
        {"pressing": "abc", "quantity": "1"},
    ],
)
def test_tampered_add_is_refused(client, post):
    pressing = pressing_on_sale(on_hand=5)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    response = client.post("/cart/add/", {"pressing": pressing.pk, **post})
    assert response.status_code == 400
    assert b"refused" in response.content
    assert cart_of(client) == {str(pressing.pk): 1}


def test_tampered_update_and_checkout_are_refused(client):
    pressing = pressing_on_sale(on_hand=5)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    assert (
        client.post("/cart/update/", {"pressing": pressing.pk, "quantity": "-3"}).status_code == 400
    )
    other = pressing_on_sale()
    assert client.post("/cart/update/", {"pressing": other.pk, "quantity": "1"}).status_code == 400
    response = client.post("/checkout/", {"email": "", "total": "0.01"})
    assert response.status_code == 400
    assert b"prices are set by the shop" in response.content
    assert not Order.objects.exists()
    assert cart_of(client) == {str(pressing.pk): 1}


def test_order_page_needs_the_key_or_the_session(client, offline):
    pressing = pressing_on_sale(on_hand=5)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    response = client.post("/checkout/", {"email": ""})
    order = Order.objects.get()
    # Starting the checkout does not write the session: the payment page's address has the key.
    assert client.get(f"/orders/{order.number}/").status_code == 404
    assert client.get(response["Location"]).status_code == 200
    # The page the shopper comes back to from payment remembers the order in their session.
    client.get(f"/checkout/success/?order={order.number}&key={order.access_key}")
    assert client.get(f"/orders/{order.number}/").status_code == 200  # same session

    stranger = type(client)()
    assert stranger.get(f"/orders/{order.number}/").status_code == 404
    assert stranger.get(f"/orders/{order.number}/?key=guess").status_code == 404
    assert stranger.get("/orders/ND-AAAA-AA/").status_code == 404
    assert stranger.get(order.get_absolute_url()).status_code == 200


def test_offline_purchase_flow(client, offline, django_assert_max_num_queries):
    """make run with no Stripe keys: test checkout, paid order, email, stock down."""
    lp = pressing_on_sale(
        amount=Decimal("28.60"), on_hand=25, per_customer_limit=1, per_order_limit=1
    )
    cd = pressing_on_sale(amount=Decimal("11.99"), on_hand=10)
    rate = ShippingRateFactory(amount=Decimal("8.00"))
    client.post("/cart/add/", {"pressing": lp.pk, "quantity": 1})
    client.post("/cart/add/", {"pressing": cd.pk, "quantity": 1})

    response = client.post("/checkout/", {"email": "fan@example.com"})
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/checkout/test/{order.number}/?key=")
    page = client.get(response["Location"])
    assert b"Test checkout" in page.content

    paid = client.post(
        response["Location"],
        {
            "key": order.access_key,
            "action": "pay",
            "email": "fan@example.com",
            "name": "Ada Buyer",
            "line1": "1 Test Street",
            "city": "Bristol",
            "postal_code": "BS1 1AA",
            "country": "gb",
            "shipping_rate": rate.pk,
        },
    )
    assert paid.status_code == 302
    with django_assert_max_num_queries(8):
        page = client.get(paid["Location"])
    assert b"Paid" in page.content
    # Paid, the order is remembered in the session, as the page Stripe returns to remembers it.
    assert client.get(f"/orders/{order.number}/").status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.total == Decimal("48.59")
    assert order.shipping_address["country"] == "GB"
    assert len(mail.outbox) == 1
    assert Stock.objects.get(pressing=lp).on_hand == 24
    assert cart_of(client) == {}


def test_offline_cancel_gives_stock_back_and_keeps_the_cart(client, offline):
    pressing = pressing_on_sale(on_hand=5)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 2})
    location = client.post("/checkout/", {"email": ""})["Location"]
    assert Stock.objects.get(pressing=pressing).reserved == 2

    response = client.post(location, {"action": "cancel"})

    assert response.status_code == 302
    assert Stock.objects.get(pressing=pressing).reserved == 0
    assert Order.objects.get().status == Order.Status.CANCELLED
    assert cart_of(client) == {str(pressing.pk): 2}


def test_test_checkout_is_off_with_real_keys(client, fake_stripe):
    pressing = pressing_on_sale(on_hand=5)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    response = client.post("/checkout/", {"email": ""})
    assert response["Location"].startswith(fake_stripe.base)
    order = Order.objects.get()
    assert client.get(f"/checkout/test/{order.number}/?key={order.access_key}").status_code == 404


def test_stripe_return_pages(client, fake_stripe):
    pressing = pressing_on_sale(on_hand=5)
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    client.post("/checkout/", {"email": ""})
    order = Order.objects.get()
    query = f"?order={order.number}&key={order.access_key}"
    page = type(client)().get(f"/checkout/success/{query}")
    assert b"Confirming your payment" in page.content
    assert Order.objects.get().status == Order.Status.PENDING  # the page reads, never writes

    client.get(f"/checkout/cancel/{query}")
    assert Order.objects.get().status == Order.Status.CANCELLED
    assert fake_stripe.sessions[order.stripe_session_id]["status"] == "expired"
    assert cart_of(client) == {str(pressing.pk): 1}


@pytest.mark.parametrize(
    "target", ["31275390", "shop:cart", "1\x00", "/\x00", "https://evil.test/"]
)
def test_a_next_that_is_not_a_path_here_goes_to_the_default(client, target):
    pressing = pressing_on_sale()
    response = client.post(
        "/notify/", {"email": "fan@example.com", "pressing": pressing.pk, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == pressing.release.get_absolute_url()


@pytest.mark.parametrize(
    "path",
    [
        "/orders/%00/",
        "/orders/ND-AAAA-AA%00/",
        "/checkout/success/?order=%00",
        "/checkout/cancel/?order=ND%00",
        "/notify/confirm/%00/",
        "/notify/unsubscribe/a%00b/",
    ],
)
def test_nul_bytes_in_order_numbers_and_tokens_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_non_ascii_order_key_is_refused_not_an_error(client, offline):
    pressing = pressing_on_sale()
    client.post("/cart/add/", {"pressing": pressing.pk, "quantity": 1})
    client.post("/checkout/", {})
    order = Order.objects.get()
    assert Client().get(f"/orders/{order.number}/?key=é").status_code == 404
    assert Client().get(order.get_absolute_url()).status_code == 200
