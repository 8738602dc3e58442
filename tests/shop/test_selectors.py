"""The release list's shop filters and sort, through catalogue.hooks."""

from decimal import Decimal

import pytest

from catalogue import hooks
from catalogue.models import Release
from tests.factories import PressingFactory, ReleaseFactory, pressing_on_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases():
    cheap = pressing_on_sale(amount=Decimal("12.00"), on_hand=5).release
    dear = pressing_on_sale(amount=Decimal("40.00"), on_hand=0).release
    PressingFactory(release=dear)  # unpriced second pressing
    unpriced = ReleaseFactory()
    return cheap, dear, unpriced


def test_annotation(releases):
    cheap, dear, unpriced = releases
    rows = {r.pk: r for r in hooks.annotate_for_list(Release.objects.all())}
    assert rows[cheap.pk].shop_price_from == Decimal("12.00")
    assert rows[cheap.pk].shop_in_stock is True
    assert rows[dear.pk].shop_in_stock is False
    assert rows[unpriced.pk].shop_price_from is None


def test_filters_and_sort(releases):
    cheap, dear, unpriced = releases
    filters = hooks.filters()
    qs = Release.objects.all()
    assert list(filters["in_stock"].apply(qs, "1")) == [cheap]
    assert list(filters["price_min"].apply(qs, "20")) == [dear]
    assert list(filters["price_max"].apply(qs, "20.00")) == [cheap]
    assert filters["price_max"].apply(qs, "lots").count() == 3  # bad values are ignored
    assert filters["price_max"].apply(qs, "NaN").count() == 3
    assert list(hooks.sorts()["price"].apply(qs)) == [cheap, dear, unpriced]


def test_list_query_uses_indexes_not_a_scan_of_prices(releases, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(hooks.sorts()["price"].apply(hooks.annotate_for_list(Release.objects.all()))[:24])
