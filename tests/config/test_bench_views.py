"""The benchmark's own views (mounted only with BENCHMARK_VIEWS)."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from config import views
from tests.shop.conftest import fake_stripe  # noqa: F401 (a fixture)


def test_the_ceiling_renders_its_small_template():
    response = views.ceiling(RequestFactory().get("/bench/ceiling/"))
    assert response.status_code == 200
    assert b"<li>Item 9</li>" in response.content


@pytest.mark.django_db
def test_the_checkout_floor_opens_one_session_and_touches_no_table(
    fake_stripe,  # noqa: F811
    django_assert_num_queries,
):
    request = RequestFactory().post("/bench/checkout-floor/", {"email": "floor@example.com"})
    with django_assert_num_queries(0):
        response = views.checkout_floor(request)

    assert fake_stripe.count("POST", "/v1/checkout/sessions") == 1
    [session] = fake_stripe.sessions.values()
    assert response.status_code == 302
    assert response["Location"] == session["url"]
    assert session["customer_email"] == "floor@example.com"
    assert session["line_items_sent"][0]["price_data"]["unit_amount"] == "2860"


def test_the_checkout_floor_takes_only_posts():
    assert views.checkout_floor(RequestFactory().get("/bench/checkout-floor/")).status_code == 405


@pytest.mark.parametrize("key", ["", "sk_live_abc", "rk_live_abc"])
def test_the_checkout_floor_is_not_there_without_a_test_key(settings, key):
    settings.STRIPE_SECRET_KEY = key
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: no call leaves the machine
    request = RequestFactory().post("/bench/checkout-floor/", {"email": "floor@example.com"})
    with pytest.raises(Http404):
        views.checkout_floor(request)
