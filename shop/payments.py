"""The Stripe boundary: every call to Stripe's API and every webhook signature check is here.

Nothing in this module touches the database, so no Stripe call can run inside a transaction
holding row locks; shop.services decides when to call it.
"""

import hashlib
import hmac
import http.client
import json
import logging
import select
import ssl
import threading
import time
import urllib.request
from io import BytesIO
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.utils.crypto import salted_hmac

from shop.money import to_minor_units

log = logging.getLogger(__name__)

SIGNATURE_TOLERANCE = 300  # seconds: older signed events are refused as replays


class PaymentProviderError(Exception):
    """Stripe could not be reached, was too slow, or refused the request."""


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body does not verify."""


def is_offline():
    """No Stripe key: checkout goes to the local test checkout page instead."""
    return not settings.STRIPE_SECRET_KEY


def webhook_secret():
    """The configured signing secret; offline, one derived from SECRET_KEY so nobody can guess it."""
    if settings.STRIPE_WEBHOOK_SECRET:
        return settings.STRIPE_WEBHOOK_SECRET
    if is_offline():
        return "whsec_offline_" + salted_hmac("shop.offline-webhook", "").hexdigest()
    return ""


class KeptConnectionClient(stripe.HTTPClient):
    """Stripe's API over a kept-open connection, through the standard library's http.client.

    The stripe library's default client goes through requests and urllib3: on every call they
    prepare the request, merge the environment's proxy and certificate settings, run hooks and read
    the answer through several layers, about 1 ms of CPU of a checkout's 7 (docs/performance.md).
    This client sends the request the stripe library has already built on one connection per thread
    (HTTPS, verified against the stripe library's own certificate bundle) and hands back the answer.

    A kept connection the server has closed while it was idle (Stripe's servers close idle
    connections) is found before it is used, by polling its socket, as the database pool
    finds a dropped connection, and a new one is opened; a failure during a call closes the
    connection and is reported as a connection error the stripe library may retry (its idempotency
    key makes a retried create safe).
    """

    name = "http.client"

    def __init__(self, *, timeout):
        super().__init__()
        self._timeout = timeout
        self._connections = threading.local()
        self._tls = None

    def request(self, method, url, headers, post_data=None):
        return self._request(method, url, headers, post_data)

    def request_stream(self, method, url, headers, post_data=None):
        body, status, response_headers = self._request(method, url, headers, post_data)
        return BytesIO(body), status, response_headers

    def close(self):
        kept = getattr(self._connections, "kept", None)
        if kept is not None:
            kept[1].close()
            self._connections.kept = None

    def _request(self, method, url, headers, post_data):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if isinstance(post_data, str):
            post_data = post_data.encode()
        connection = self._connection(parts.scheme, parts.netloc)
        try:
            connection.request(method.upper(), path, body=post_data, headers=dict(headers))
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise stripe.APIConnectionError(
                f"Could not reach Stripe ({type(error).__name__}: {error}).", should_retry=True
            ) from error
        if response.will_close:
            self.close()
        # The headers' mapping answers whatever the case of the name asked for, as Stripe's
        # library expects ("Request-Id", "stripe-should-retry").
        return body, response.status, response.headers

    def _connection(self, scheme, netloc):
        kept = getattr(self._connections, "kept", None)
        if kept is not None and (kept[0] != (scheme, netloc) or _closed_by_server(kept[1])):
            self.close()
            kept = None
        if kept is None:
            if scheme == "https":
                if self._tls is None:
                    self._tls = ssl.create_default_context(cafile=stripe.ca_bundle_path)
                connection = http.client.HTTPSConnection(
                    netloc, timeout=self._timeout, context=self._tls
                )
            elif scheme == "http":
                connection = http.client.HTTPConnection(netloc, timeout=self._timeout)
            else:
                raise stripe.APIConnectionError(f"Stripe's address must be http(s): {scheme}")
            kept = self._connections.kept = ((scheme, netloc), connection)
        return kept[1]


def _closed_by_server(connection):
    """True when an idle kept connection has something to read: the server closed it (or sent
    what nobody asked for). Not yet connected counts as open."""
    if connection.sock is None:
        return False
    waiting = select.poll()
    waiting.register(connection.sock, select.POLLIN)
    return bool(waiting.poll(0))


_clients = threading.local()


def _client():
    """This thread's Stripe client for the current settings.

    A client keeps its HTTP connection to Stripe open between calls, so a checkout does not pay
    for a new TCP and TLS handshake each time. One per thread: a client's connection pool is not
    shared between threads.
    """
    config = (settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_TIMEOUT)
    cached = getattr(_clients, "client", None)
    if cached is not None and cached[0] == config:
        return cached[1]
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    client = stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        # One retry for a dropped connection: the shopper is waiting, and the idempotency key
        # makes a retried create safe.
        max_network_retries=1,
        http_client=_http_client(),
    )
    _clients.client = (config, client)
    return client


def _http_client():
    """The kept-connection client; the stripe library's requests client when the environment
    names an HTTPS proxy (HTTPS_PROXY or ALL_PROXY), which requests honours, with NO_PROXY, and
    the kept-connection client does not."""
    proxies = urllib.request.getproxies()
    if proxies.get("https") or proxies.get("all"):
        return stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT)
    return KeptConnectionClient(timeout=settings.STRIPE_TIMEOUT)


def _call(what, fn, *args, **kwargs):
    started = time.monotonic()
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as error:
        log.warning(
            "stripe %s failed after %.1fs: %s",
            what,
            time.monotonic() - started,
            type(error).__name__,
        )
        raise PaymentProviderError(str(error)) from error


def create_checkout_session(
    *, order, lines, shipping_rates, success_url, cancel_url, expires_at, customer_email
):
    """Create the hosted Checkout Session for a pending order; returns {"id", "url"}."""
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": line.quantity,
                "price_data": {
                    "currency": order.currency.lower(),
                    "unit_amount": to_minor_units(line.unit_price, order.currency),
                    "product_data": {
                        "name": line.release_title,
                        "description": line.pressing_description[:500] or line.sku,
                        "metadata": {"sku": line.sku},
                    },
                },
            }
            for line in lines
        ],
        "shipping_options": [
            {
                "shipping_rate_data": {
                    "display_name": rate.name,
                    "type": "fixed_amount",
                    "fixed_amount": {
                        "amount": to_minor_units(rate.amount, order.currency),
                        "currency": order.currency.lower(),
                    },
                    "metadata": {"shipping_rate_id": str(rate.pk)},
                }
            }
            for rate in shipping_rates
        ],
        "shipping_address_collection": {
            "allowed_countries": sorted({c for rate in shipping_rates for c in rate.country_codes})
        },
        "client_reference_id": order.number,
        "metadata": {"order_id": str(order.pk), "order_number": order.number},
        "payment_intent_data": {
            "metadata": {"order_id": str(order.pk), "order_number": order.number}
        },
        "success_url": success_url,
        "cancel_url": cancel_url,
        "expires_at": int(expires_at.timestamp()),
    }
    if customer_email:
        params["customer_email"] = customer_email
    # The session's id and address are all a checkout reads of the answer: read from its JSON,
    # not turned into Stripe's objects (some 30 nested objects, 0.3 ms of CPU).
    answer = _call(
        "create checkout session",
        _client().raw_request,
        "post",
        "/v1/checkout/sessions",
        **params,
        idempotency_key=f"checkout-{order.number}",
    )
    return {"id": answer.data["id"], "url": answer.data["url"]}


def retrieve_checkout_session(session_id):
    session = _call(
        "retrieve checkout session", _client().v1.checkout.sessions.retrieve, session_id
    )
    return session.to_dict()


def expire_checkout_session(session_id):
    """Close an open session so it can no longer be paid."""
    _call("expire checkout session", _client().v1.checkout.sessions.expire, session_id)


def list_checkout_sessions(*, created_after):
    """Every Checkout Session created since a moment, as plain dicts (auto-paginated)."""
    page = _call(
        "list checkout sessions",
        _client().v1.checkout.sessions.list,
        {"created": {"gte": int(created_after.timestamp())}, "limit": 100},
    )
    try:
        return [session.to_dict() for session in page.auto_paging_iter()]
    except stripe.StripeError as error:
        raise PaymentProviderError(str(error)) from error


def create_refund(*, payment_intent, amount, currency, idempotency_key):
    """Refund part or all of a payment; the same idempotency key never refunds twice."""
    refund = _call(
        "create refund",
        _client().v1.refunds.create,
        {
            "payment_intent": payment_intent,
            "amount": to_minor_units(amount, currency),
        },
        {"idempotency_key": idempotency_key},
    )
    return refund.to_dict()


def construct_event(payload, signature):
    """The event as a plain dict once its signature verifies; InvalidWebhook otherwise."""
    secret = webhook_secret()
    if not secret:
        raise InvalidWebhook("STRIPE_WEBHOOK_SECRET is not set")
    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance=SIGNATURE_TOLERANCE)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
        raise InvalidWebhook(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        raise InvalidWebhook("not an event")
    return event


def sign_payload(payload, *, secret=None, timestamp=None):
    """A Stripe-Signature header for a payload: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">."""
    secret = secret or webhook_secret()
    timestamp = int(time.time() if timestamp is None else timestamp)
    if isinstance(payload, bytes):
        payload = payload.decode()
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"
