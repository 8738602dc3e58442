"""The Stripe client's kept connection (shop.payments.KeptConnectionClient), against the local
fake Stripe API."""

import time

import pytest
import stripe

from shop import payments


def create_session(number):
    client = payments._client()
    return client.v1.checkout.sessions.create(
        {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "gbp",
                        "unit_amount": 2860,
                        "product_data": {"name": "Drive"},
                    },
                }
            ],
            "success_url": "http://127.0.0.1/success",
            "cancel_url": "http://127.0.0.1/cancel",
            "expires_at": int(time.time()) + 3600,
        },
        {"idempotency_key": f"kept-{number}"},
    )


def test_calls_share_one_kept_connection(fake_stripe):
    for number in range(3):
        assert create_session(number).id.startswith("cs_test_")
    assert fake_stripe.connections_opened == 1
    assert fake_stripe.count("POST", "/v1/checkout/sessions") == 3


def test_a_connection_the_server_closed_is_replaced_before_the_call(fake_stripe, monkeypatch):
    """Found closed by polling its socket: the call goes out once, on a new connection, with no
    failed attempt and no retry's wait."""
    create_session(1)
    assert fake_stripe.drop_connections() == 1
    slept = []
    monkeypatch.setattr("stripe._http_client.time.sleep", slept.append)

    assert create_session(2).id.startswith("cs_test_")

    assert fake_stripe.connections_opened == 2
    assert fake_stripe.count("POST", "/v1/checkout/sessions") == 2
    assert slept == []


def test_an_answer_after_the_timeout_is_a_connection_error_and_the_connection_is_dropped(
    fake_stripe, settings
):
    """The checkout's own test (test_stripe_slow_times_out_and_releases_the_hold) shows the hold
    given back; here, the client: the call fails after its retry, and the next call, with Stripe
    quick again, opens a new connection rather than reading the late answer."""
    settings.STRIPE_TIMEOUT = 0.2
    fake_stripe.slow = 0.4
    with pytest.raises(stripe.APIConnectionError):
        create_session("late")
    fake_stripe.slow = 0
    assert create_session("on time").id.startswith("cs_test_")
    assert fake_stripe.connections_opened == 3  # the late call and its retry, then a new one


def test_an_https_proxy_in_the_environment_keeps_the_requests_client(monkeypatch, settings):
    """requests honours HTTPS_PROXY and NO_PROXY; the kept-connection client does not."""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(payments._http_client(), payments.KeptConnectionClient)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert isinstance(payments._http_client(), stripe.RequestsClient)
