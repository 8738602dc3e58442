"""A small local fake of the Stripe API, for the real `stripe` library to talk to in tests.

It implements only what Needle Drop uses: Checkout Sessions (create with idempotency keys,
retrieve, expire, list) and refunds. Switches make it slow (`slow = seconds`) or fail
(`fail = True` answers 500s), so tests can show checkout surviving a bad Stripe day.
"""

import json
import re
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


def _set_path(target, keys, value):
    """Stripe's form encoding: a[b][0][c]=v -> {"a": {"b": [{"c": "v"}]}}."""
    node = target
    for key, following in zip(keys, [*keys[1:], None], strict=True):
        index = int(key) if isinstance(node, list) else key
        if following is None:
            if isinstance(node, list):
                while len(node) <= index:
                    node.append(None)
            node[index] = value
            return
        child = [] if following.isdigit() else {}
        if isinstance(node, list):
            while len(node) <= index:
                node.append(None)
            if node[index] is None:
                node[index] = child
            node = node[index]
        else:
            node = node.setdefault(key, child)


def parse_form(body):
    params = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        keys = re.findall(r"[^\[\]]+", name)
        _set_path(params, keys, value)
    return params


class FakeStripe:
    def __init__(self):
        self.sessions = {}
        self.refunds = {}
        self.idempotent = {}
        self.requests = []
        self.slow = 0.0
        self.fail = False
        self.lock = threading.Lock()
        self.connections_opened = 0
        self.open_connections = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what tests use ---------------------------------------------------------------------

    def drop_connections(self):
        """Close every kept connection from the server's side, as Stripe closes idle ones."""
        with self.lock:
            dropped = list(self.open_connections)
        for sock in dropped:
            sock.shutdown(socket.SHUT_RDWR)
        return len(dropped)

    def count(self, method, path_prefix):
        return sum(1 for m, p in self.requests if m == method and p.startswith(path_prefix))

    def complete(self, session_id, *, payment_status="paid", email="buyer@example.com"):
        """The shopper pays on the hosted page: the session completes, as Stripe would record it."""
        with self.lock:
            session = self.sessions[session_id]
            options = session["shipping_options_sent"] or []
            shipping = (
                int(options[0]["shipping_rate_data"]["fixed_amount"]["amount"]) if options else 0
            )
            session.update(
                amount_total=session["amount_subtotal"] + shipping,
                shipping_cost={"amount_subtotal": shipping, "amount_total": shipping},
                status="complete",
                payment_status=payment_status,
                payment_intent=session["payment_intent"] or f"pi_{secrets.token_hex(8)}",
                customer_details={"email": email, "name": "Ada Buyer"},
                collected_information={
                    "shipping_details": {
                        "name": "Ada Buyer",
                        "address": {
                            "line1": "1 Coldharbour Lane",
                            "line2": None,
                            "city": "London",
                            "postal_code": "SE5 9NR",
                            "state": None,
                            "country": "GB",
                        },
                    }
                },
            )
            return json.loads(json.dumps(session))

    # --- the API ----------------------------------------------------------------------------

    def _new_session(self, params):
        amount = sum(
            int(item["price_data"]["unit_amount"]) * int(item["quantity"])
            for item in params.get("line_items", [])
        )
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "url": f"{self.base}/pay/{session_id}",
            "currency": params["line_items"][0]["price_data"]["currency"],
            "amount_subtotal": amount,
            "amount_total": amount,
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params.get("metadata", {}),
            "expires_at": int(params["expires_at"]),
            "created": int(time.time()),
            "payment_intent": None,
            "shipping_cost": None,
            "line_items_sent": params.get("line_items"),
            "shipping_options_sent": params.get("shipping_options"),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
        }
        self.sessions[session_id] = session
        return 200, session

    def _refund(self, params):
        pi = params.get("payment_intent")
        amount = int(params.get("amount", 0))
        refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == pi)
        paid = next(
            (s["amount_total"] for s in self.sessions.values() if s["payment_intent"] == pi),
            None,
        )
        if paid is not None and refunded + amount > paid:
            return 400, {
                "error": {"type": "invalid_request_error", "message": "Refund exceeds charge"}
            }
        refund = {
            "id": f"re_{secrets.token_hex(10)}",
            "object": "refund",
            "amount": amount,
            "payment_intent": pi,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    def _route(self, method, path, query, params):
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._new_session(params)
        match = re.fullmatch(r"/v1/checkout/sessions/(cs_\w+)(/expire)?", path)
        if match and match[1] in self.sessions:
            session = self.sessions[match[1]]
            if match[2] and method == "POST":
                if session["status"] == "open":
                    session["status"] = "expired"
                return 200, session
            return 200, session
        if method == "GET" and path == "/v1/checkout/sessions":
            since = int(query.get("created[gte]", 0))
            data = sorted(
                (s for s in self.sessions.values() if s["created"] >= since),
                key=lambda s: s["id"],
            )
            return 200, {"object": "list", "url": path, "has_more": False, "data": data}
        if method == "POST" and path == "/v1/refunds":
            return self._refund(params)
        return 404, {"error": {"type": "invalid_request_error", "message": f"No route {path}"}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as Stripe's API: a client reuses its connection between calls. Headers
            # and body go out in separate writes, so Nagle's algorithm must be off, or each answer
            # waits for the client's delayed acknowledgement.
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                with fake.lock:
                    fake.connections_opened += 1
                    fake.open_connections.add(self.connection)

            def finish(self):
                with fake.lock:
                    fake.open_connections.discard(self.connection)
                super().finish()

            def _answer(self, status, body):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _serve(self, method):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                with fake.lock:
                    fake.requests.append((method, url.path))
                if fake.slow:
                    time.sleep(fake.slow)
                if fake.fail:
                    return self._answer(500, {"error": {"type": "api_error", "message": "down"}})
                if not (self.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
                    return self._answer(401, {"error": {"type": "invalid_request_error"}})
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    if method == "POST" and key and key in fake.idempotent:
                        return self._answer(*fake.idempotent[key])
                    status, answer = fake._route(
                        method, url.path, dict(parse_qsl(url.query)), parse_form(body)
                    )
                    if method == "POST" and key:
                        fake.idempotent[key] = (status, answer)
                return self._answer(status, answer)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        return Handler
