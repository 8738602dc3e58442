"""One production-like database for the hardening tests, and gunicorns started on it per test."""

import json
import time
import uuid

import pytest

from shop.payments import sign_payload
from tests.hardening.stack import Database, Web
from tests.shop.fake_stripe import FakeStripe

STACK_WEBHOOK_SECRET = "whsec_stack"

PRESSING_CODE = """
from datetime import timedelta
from django.utils import timezone
from tests.factories import PressingFactory, PriceFactory, ReleaseFactory, StockFactory
tag = "{tag}"
release = ReleaseFactory(
    title=f"Release Day {{tag}}",
    film__title=f"Release Day Film {{tag}}",
    published_at=timezone.now() - timedelta(days=1),
)
pressing = PressingFactory(
    release=release, label__name=f"Label {{tag}}", catalogue_number=tag, sku=f"RD-{{tag}}"
)
PriceFactory(pressing=pressing)
StockFactory(pressing=pressing, on_hand={on_hand}, per_order_limit=10)
print(pressing.pk, release.slug)
"""


@pytest.fixture(scope="session")
def stack_database():
    """Migrated, with the demo data and collected static files; tests add what they need."""
    database = Database()
    try:
        web = Web(database)
        web.manage("migrate", "--noinput")
        web.manage("load_demo")
        web.manage("collectstatic", "--noinput")
        yield database
    finally:
        database.close()


@pytest.fixture(scope="session")
def stack_stripe():
    """The fake Stripe API in the test process, for the stack's gunicorn workers to call."""
    fake = FakeStripe().start()
    yield fake
    fake.stop()


def stripe_env(fake):
    return {
        "STRIPE_API_BASE": fake.base,
        "STRIPE_SECRET_KEY": "sk_test_stack",
        "STRIPE_WEBHOOK_SECRET": STACK_WEBHOOK_SECRET,
        "STRIPE_TIMEOUT": "5",
    }


@pytest.fixture
def start_web(stack_database):
    """start_web(workers=..., **env): a gunicorn on the shared database, stopped after the test."""
    started = []

    def start(*, workers=2, **env):
        web = Web(stack_database, workers=workers, extra_env=env)
        web.start()
        started.append(web)
        return web

    yield start
    for web in started:
        web.stop()


def new_pressing(web, *, on_hand):
    """A published release with one pressing of on_hand copies: (pressing id, release slug)."""
    code = PRESSING_CODE.format(tag=uuid.uuid4().hex[:10], on_hand=on_hand)
    pk, slug = web.manage("shell", "-c", code).split()[-2:]
    return int(pk), slug


def paid_event(fake, session_id):
    """checkout.session.completed for a session the shopper has just paid at the fake Stripe."""
    session = fake.complete(session_id)
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": session},
    }


def deliver(visitor, event, *, secret=STACK_WEBHOOK_SECRET, signature=None, body=None):
    """POST an event to the stack's webhook as Stripe would, signed with Stripe's scheme."""
    body = body if body is not None else json.dumps(event)
    signature = sign_payload(body, secret=secret) if signature is None else signature
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
    return visitor.request("POST", "/stripe/webhook/", body=body.encode(), headers=headers)
