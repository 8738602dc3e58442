"""Shop staff in the admin: orders, shipping, refunds, price and stock."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail

from shop import services
from shop.models import Order, Stock
from tests.factories import pressing_on_sale
from tests.shop.conftest import payload, post_event
from tests.shop.test_checkout import cart_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    return client


@pytest.fixture
def paid_order(fake_stripe, client):
    pressing = pressing_on_sale(on_hand=5)
    order = services.start_checkout(cart=cart_with((pressing, 2))).order
    session = fake_stripe.complete(order.stripe_session_id)
    post_event(client, payload("checkout.session.completed", order=order, session=session))
    order.refresh_from_db()
    mail.outbox.clear()
    return order


def test_order_pages(staff, paid_order, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        listing = staff.get("/admin/shop/order/?status=paid&q=" + paid_order.number)
    assert paid_order.number in listing.content.decode()
    with django_assert_max_num_queries(25):
        page = staff.get(f"/admin/shop/order/{paid_order.pk}/change/")
    assert "Paid by card" in page.content.decode()


def test_mark_shipped_asks_then_emails_once(staff, paid_order):
    form = staff.post(
        "/admin/shop/order/", {"action": "mark_shipped", "_selected_action": [paid_order.pk]}
    )
    assert b"Tracking number" in form.content
    staff.post(
        "/admin/shop/order/",
        {
            "action": "mark_shipped",
            "_selected_action": [paid_order.pk],
            "apply": "1",
            "carrier": "Royal Mail",
            "tracking_number": "RM123456785GB",
        },
    )
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.SHIPPED
    assert [m.subject for m in mail.outbox] == [
        f"Needle Drop order {paid_order.number} has shipped"
    ]
    assert "RM123456785GB" in mail.outbox[0].body


def test_partial_then_full_refund_through_stripe(staff, paid_order, fake_stripe):
    staff.post(
        "/admin/shop/order/",
        {"action": "refund", "_selected_action": [paid_order.pk], "apply": "1", "amount": "10.00"},
    )
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.PARTLY_REFUNDED
    staff.post(
        "/admin/shop/order/",
        {"action": "refund", "_selected_action": [paid_order.pk], "apply": "1"},
    )
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.REFUNDED
    assert sorted(r["amount"] for r in fake_stripe.refunds.values()) == [1000, 4720]
    with pytest.raises(services.OrderActionError):
        services.refund_order(order=paid_order, amount=Decimal("1.00"))


def test_price_and_stock_edited_on_the_pressing(staff):
    pressing = pressing_on_sale(on_hand=0)
    page = staff.get(f"/admin/shop/shoppressing/{pressing.pk}/change/")
    assert "No votes yet." in page.content.decode()
    stock = Stock.objects.get(pressing=pressing)
    data = {
        "shop_price-TOTAL_FORMS": "1",
        "shop_price-INITIAL_FORMS": "1",
        "shop_price-0-id": pressing.shop_price.pk,
        "shop_price-0-pressing": pressing.pk,
        "shop_price-0-amount": "30.00",
        "shop_price-0-compare_at": "",
        "shop_stock-TOTAL_FORMS": "1",
        "shop_stock-INITIAL_FORMS": "1",
        "shop_stock-0-id": stock.pk,
        "shop_stock-0-pressing": pressing.pk,
        "shop_stock-0-on_hand": "12",
        "shop_stock-0-preorder_allocation": "0",
        "shop_stock-0-low_stock_threshold": "5",
        "shop_stock-0-per_order_limit": "10",
        "shop_stock-0-per_customer_limit": "",
    }
    response = staff.post(f"/admin/shop/shoppressing/{pressing.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stock.refresh_from_db()
    assert stock.on_hand == 12
    pressing.shop_price.refresh_from_db()
    assert pressing.shop_price.amount == Decimal("30.00")


def test_non_staff_reach_no_shop_admin(client):
    User.objects.create_user("shopper", password="pw")
    client.login(username="shopper", password="pw")
    assert client.get("/admin/shop/order/").status_code == 302
