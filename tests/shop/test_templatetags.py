import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import escape

from catalogue import hooks
from catalogue.models import Pressing
from shop.models import Price
from tests.factories import PressingFactory, ReleaseFactory, pressing_on_sale

pytestmark = pytest.mark.django_db


def render(source, **context):
    request = RequestFactory().get("/releases/x/")
    return Template("{% load shop %}" + source).render(Context({"request": request, **context}))


def test_buy_box_states():
    in_stock = pressing_on_sale(on_hand=40)
    low = pressing_on_sale(on_hand=3)
    sold_out = pressing_on_sale(on_hand=0)
    future = timezone.localdate() + timedelta(days=30)
    preorder = pressing_on_sale(on_hand=0, preorder_allocation=100)
    Pressing.objects.filter(pk=preorder.pk).update(release_date=future)
    unpriced = PressingFactory()

    html = {
        p: render("{% buy_box p %}", p=Pressing.objects.get(pk=p.pk))
        for p in (in_stock, low, sold_out, preorder, unpriced)
    }

    assert "In stock" in html[in_stock]
    assert "$28.60" in html[in_stock]
    assert "Add to cart" in html[in_stock]
    assert "Only 3 left" in html[low]
    assert 'max="3"' in html[low]
    assert "Sold out" in html[sold_out]
    assert "Notify me" in html[sold_out]
    assert "Add to cart" not in html[sold_out]
    assert f"Pre-order – ships {future.day} {future:%B}" in html[preorder]
    assert "Add to cart" in html[preorder]
    assert "Notify me" in html[unpriced]


def test_buy_box_shows_a_sale_price():
    pressing = pressing_on_sale(amount=Decimal("22.00"))
    Price.objects.filter(pressing=pressing).update(compare_at=Decimal("28.60"))
    html = render("{% buy_box p %}", p=Pressing.objects.get(pk=pressing.pk))
    assert "$22.00" in html
    assert "<s" in html
    assert "$28.60" in html


def test_buy_box_runs_no_query_when_prefetched(django_assert_num_queries):
    release = ReleaseFactory()
    for _ in range(4):
        pressing_on_sale(on_hand=3, release=release)
    pressings = list(
        hooks.annotate_pressings(Pressing.objects.select_related("release").filter(release=release))
    )
    assert len(pressings) == 4
    with django_assert_num_queries(0):
        html = render("{% for p in pressings %}{% buy_box p %}{% endfor %}", pressings=pressings)
    assert html.count("Add to cart") == 4


def test_notify_me_lists_the_release_pressings():
    release = ReleaseFactory()
    PressingFactory(release=release, colour="Hot pink")
    html = render("{% notify_me release %}", release=release)
    assert "Hot pink" in html
    assert 'action="/notify/"' in html


def test_notify_me_lists_every_pressing_in_order_escaped_from_one_query(
    django_assert_num_queries,
):
    release = ReleaseFactory(title="Drive <Deluxe>")
    second = PressingFactory(release=release, order=2, colour="Black", weight_grams=180)
    first = PressingFactory(release=release, order=1, colour='Hot "pink"', edition_size=500)
    PressingFactory(colour="Another release's")
    with django_assert_num_queries(1):
        html = render("{% notify_me release %}", release=release)
    options = re.findall(r'<option value="(\d+)">([^<]*)</option>', html)
    assert options == [
        (str(first.pk), escape(first.description)),
        (str(second.pk), escape(second.description)),
    ]
    assert "&quot;pink&quot;" in html and "Drive &lt;Deluxe&gt;" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next" value="/releases/x/"' in html


def test_notify_me_is_empty_for_a_release_without_pressings():
    assert render("{% notify_me release %}", release=ReleaseFactory()) == ""


def test_buy_box_forms_carry_their_token_limit_and_return_address():
    limited = pressing_on_sale(on_hand=40, per_customer_limit=2)
    sold_out = pressing_on_sale(on_hand=0)
    unpriced = PressingFactory()
    request = RequestFactory().get("/releases/x/", {"from": '"><script>'})

    def box(pressing):
        return Template("{% load shop %}{% buy_box p %}").render(
            Context({"request": request, "p": Pressing.objects.get(pk=pressing.pk)})
        )

    html = box(limited)
    assert 'name="csrfmiddlewaretoken" value="' in html
    assert "Limited to 2 per customer." in html
    assert 'value="/releases/x/?from=%22%3E%3Cscript%3E"' in html
    assert "<script>" not in html
    assert "Email me if it comes back" in box(sold_out)
    assert "Email me when it goes on sale" in box(unpriced)
    assert 'name="csrfmiddlewaretoken"' in box(unpriced)
