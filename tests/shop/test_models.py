"""ReleaseOffer: the lowest price and in-stock dates the database keeps for each release."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from catalogue import hooks
from catalogue.models import Pressing, Release
from shop import services
from shop.models import Price, ReleaseOffer, Stock, in_stock_on
from tests.factories import (
    PressingFactory,
    PriceFactory,
    ReleaseFactory,
    StockFactory,
    pressing_on_sale,
)
from tests.shop.test_checkout import cart_with

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def offer(release):
    return ReleaseOffer.objects.get(release=release)


def in_stock(release, day=TODAY):
    return ReleaseOffer.objects.filter(in_stock_on(day), release=release).exists()


def test_a_new_release_has_an_empty_row():
    release = ReleaseFactory()
    assert offer(release).price_from is None
    assert not in_stock(release)


def test_lowest_price_follows_saves_updates_and_deletes():
    release = ReleaseFactory()
    dear = pressing_on_sale(release=release, amount=Decimal("40.00"))
    cheap = pressing_on_sale(release=release, amount=Decimal("25.00"))
    assert offer(release).price_from == Decimal("25.00")

    price = cheap.shop_price
    price.amount = Decimal("45.00")
    price.save()
    assert offer(release).price_from == Decimal("40.00")

    Price.objects.filter(pressing=dear).update(amount=Decimal("19.99"))
    assert offer(release).price_from == Decimal("19.99")

    dear.shop_price.delete()
    assert offer(release).price_from == Decimal("45.00")


def test_prices_in_bulk():
    releases = ReleaseFactory.create_batch(3)
    pressings = [PressingFactory(release=r) for r in releases]
    Price.objects.bulk_create(
        [Price(pressing=p, amount=Decimal(10 + i)) for i, p in enumerate(pressings)]
    )
    assert [offer(r).price_from for r in releases] == [Decimal(10), Decimal(11), Decimal(12)]


def test_in_stock_follows_stock_reservations_and_sales():
    pressing = pressing_on_sale(on_hand=2)
    release = pressing.release
    assert in_stock(release)

    Stock.objects.filter(pressing=pressing).update(reserved=2)  # two checkouts hold the copies
    assert not in_stock(release)

    Stock.objects.filter(pressing=pressing).update(reserved=1)  # one gives its copy back
    assert in_stock(release)

    stock = Stock.objects.get(pressing=pressing)
    stock.on_hand, stock.reserved = 0, 0
    stock.save()
    assert not in_stock(release)


def test_a_checkout_that_takes_the_last_copy_sells_the_release_out(fake_stripe):
    pressing = pressing_on_sale(on_hand=1)
    order = services.start_checkout(cart=cart_with((pressing, 1)), email="fan@example.com").order
    assert not in_stock(pressing.release)

    services.release_order(order=order, note="test")
    assert in_stock(pressing.release)


def test_a_release_is_in_stock_while_any_pressing_sells():
    release = ReleaseFactory()
    pressing_on_sale(release=release, on_hand=0)
    second = pressing_on_sale(release=release, on_hand=3)
    assert in_stock(release)

    Pressing.objects.filter(pk=second.pk).update(availability=Pressing.Availability.OUT_OF_PRINT)
    assert not in_stock(release)


def test_only_priced_and_stocked_pressings_sell():
    release = ReleaseFactory()
    StockFactory(pressing=PressingFactory(release=release), on_hand=5)  # no price
    assert not in_stock(release)
    PriceFactory(pressing=PressingFactory(release=release))  # no stock row
    assert not in_stock(release)
    assert offer(release).price_from == Decimal("28.60")


def test_a_pre_order_sells_from_its_allocation_until_release_day_then_from_the_shelf():
    release_day = TODAY + timedelta(days=10)
    pressing = pressing_on_sale(on_hand=0, preorder_allocation=3)
    Pressing.objects.filter(pk=pressing.pk).update(release_date=release_day)
    release = pressing.release

    assert in_stock(release, TODAY)
    assert in_stock(release, release_day - timedelta(days=1))
    assert not in_stock(release, release_day)  # the records are here, the shelf is empty

    Stock.objects.filter(pressing=pressing).update(on_hand=40, preorder_allocation=0)
    assert not in_stock(release, TODAY)  # nothing left to pre-order
    assert in_stock(release, release_day)
    assert in_stock(release, release_day + timedelta(days=365))


def test_a_release_date_moved_into_the_past_sells_from_the_shelf():
    pressing = pressing_on_sale(on_hand=5)
    Pressing.objects.filter(pk=pressing.pk).update(release_date=TODAY + timedelta(days=30))
    assert not in_stock(pressing.release)  # a pre-order now, with no allocation
    Pressing.objects.filter(pk=pressing.pk).update(release_date=TODAY - timedelta(days=1))
    assert in_stock(pressing.release)


def test_moving_or_deleting_a_pressing_updates_both_releases():
    pressing = pressing_on_sale(amount=Decimal("30.00"), on_hand=5)
    old, new = pressing.release, ReleaseFactory()
    Pressing.objects.filter(pk=pressing.pk).update(release=new)
    assert (offer(old).price_from, in_stock(old)) == (None, False)
    assert (offer(new).price_from, in_stock(new)) == (Decimal("30.00"), True)

    Pressing.objects.get(pk=pressing.pk).delete()
    assert (offer(new).price_from, in_stock(new)) == (None, False)


def test_deleting_a_release_deletes_its_row():
    release = pressing_on_sale().release
    Release.objects.filter(pk=release.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys are checked here
    assert not ReleaseOffer.objects.filter(release_id=release.pk).exists()


def test_price_sort_walks_the_offer_index():
    """The first page sorted by price reads 24 rows of releaseoffer_price_idx, not every price."""
    for amount in ("12.00", "30.00", "18.00"):
        pressing_on_sale(amount=Decimal(amount))
    queryset = hooks.sorts()["price"].apply(Release.objects.published()).values("pk")[:24]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # With a handful of rows sorting is cheapest; forbidding it shows that the query's shape
        # lets the index give the order (the planner picks that plan at 100,000 releases).
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "releaseoffer_price_idx" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_pressings_selling_out_at_once_sell_the_release_out():
    """Each sale sees the other's: the second waits for the first to commit, then recomputes."""
    release = ReleaseFactory()
    first = pressing_on_sale(release=release, on_hand=1)
    second = pressing_on_sale(release=release, on_hand=1)
    first_sold = threading.Event()
    errors = []

    def sell(pressing, before_commit):
        try:
            with transaction.atomic():
                Stock.objects.filter(pressing=pressing).update(reserved=1)
                before_commit()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    one = threading.Thread(
        target=sell, args=(first, lambda: (first_sold.set(), threading.Event().wait(0.5)))
    )
    one.start()
    first_sold.wait(10)
    two = threading.Thread(target=sell, args=(second, lambda: None))
    two.start()
    one.join(20)
    two.join(20)
    assert not errors
    assert not in_stock(release)
