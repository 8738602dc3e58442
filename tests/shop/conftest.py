import copy
import json
import time
from pathlib import Path

import pytest

from shop.payments import sign_payload
from tests.shop.fake_stripe import FakeStripe

PAYLOADS = Path(__file__).parent / "payloads"
WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def fake_stripe(settings):
    """The local fake Stripe API, with the real stripe library pointed at it."""
    fake = FakeStripe().start()
    settings.STRIPE_API_BASE = fake.base
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_TIMEOUT = 2
    yield fake
    fake.stop()


@pytest.fixture
def offline(settings):
    """No Stripe keys: the local test checkout."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_API_BASE = ""
    settings.SHOP_TEST_CHECKOUT = True
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def payload(name, *, order=None, session=None, event_id=None, **changes):
    """A Stripe-shaped event from tests/shop/payloads/, pointed at one of our orders."""
    event = copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text()))
    obj = event["data"]["object"]
    if session is not None:
        obj.update({k: v for k, v in session.items() if k in obj and v is not None})
    if order is not None:
        obj["metadata"] = {"order_id": str(order.pk), "order_number": order.number}
        if obj["object"] == "checkout.session":
            obj["id"] = order.stripe_session_id or obj["id"]
            obj["client_reference_id"] = order.number
        elif order.stripe_payment_intent:
            obj["payment_intent"] = order.stripe_payment_intent
    obj.update(changes)
    if event_id:
        event["id"] = event_id
    return event


def post_event(client, event, *, secret=WEBHOOK_SECRET, timestamp=None, header=None):
    body = json.dumps(event)
    signature = header or sign_payload(body, secret=secret, timestamp=timestamp or time.time())
    return client.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
