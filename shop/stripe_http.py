"""Stripe's API over a kept-open connection, through the standard library's http.client.

The stripe library's default client goes through requests and urllib3: on every call they
prepare the request, merge the environment's proxy and certificate settings, run hooks and read
the answer through several layers, some 1.5 ms of CPU of a checkout's 7 (docs/performance.md).
This client sends the request the stripe library has already built on one connection per thread
(HTTPS, verified against the stripe library's own certificate bundle) and hands back the answer.

A kept connection the server has closed while it was idle (Stripe's and the fake API's servers
close idle connections) is found before it is used, by polling its socket, as the database pool
finds a dropped connection, and a new one is opened; a failure during a call closes the
connection and is reported as a connection error the stripe library may retry (its idempotency
key makes a retried create safe).
"""

import http.client
import select
import ssl
import threading
from io import BytesIO
from urllib.parse import urlsplit

import stripe


class KeptConnectionClient(stripe.HTTPClient):
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
