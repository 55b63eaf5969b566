"""A Stripe-compatible HTTP server on 127.0.0.1 for tests, staging and the offline demo.

It speaks Stripe's wire format closely enough for stripe-python to work unchanged: form-encoded
bodies with bracket notation (`line_items[0][price_data][unit_amount]=125000`), JSON answers,
`Authorization: Bearer <key>`, `Idempotency-Key` replay, and errors shaped like Stripe's
(`{"error": {"type", "message", "code", "param"}}`). It covers what the shop uses: Checkout
Sessions in payment mode, PaymentIntents, refunds and events, plus a hosted payment page
(`/pay/<session id>`, in Vietnamese or English as the session's locale says) with a card form
that takes Stripe's test cards (4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined), marks
the session paid and posts the signed webhook to the site, so a browser test or the demo can run
a whole card payment without the network. No real card is ever charged.

Tests drive it from Python (`pay`, `decline`, `expire_session`, `fail_next`, the counters and the
request log). `sign` builds a `Stripe-Signature` header exactly as Stripe does.

`make demo` starts it beside the site (`manage.py serve_demo`); run it by hand for staging:
    python -m shop.payments.stripe_devserver --port 12111 --key sk_test_local \\
        --webhook-url http://127.0.0.1:8000/shop/payments/stripe/webhook/ \\
        --webhook-secret whsec_local
It prints the settings the site needs (STRIPE_API_BASE, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).
"""

import argparse
import contextlib
import datetime
import hashlib
import hmac
import html
import json
import logging
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

logger = logging.getLogger(__name__)

# What stripe-python 16.1.0 sends as Stripe-Version; events carry it as Stripe's do.
API_VERSION = "2026-10-28.endive"

# Stripe's zero-decimal currencies: amounts are whole units (125000 VND is 125.000 ₫).
ZERO_DECIMAL = {
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
    "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
}  # fmt: skip

# Stripe accepts at most eight digits in an amount, whatever the currency.
MAX_AMOUNT = 99_999_999

CHECKOUT_LOCALES = {
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil",
    "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl",
    "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
}  # fmt: skip

# Checkout lets a session live from 30 minutes to 24 hours; a little slack for clock drift
# between the caller computing `expires_at` and this server checking it.
MIN_SESSION_SECONDS = 30 * 60
MAX_SESSION_SECONDS = 24 * 60 * 60
EXPIRY_SLACK_SECONDS = 10

# Parameters each create call accepts. Stripe rejects unknown ones ("parameter_unknown"), and so
# does this server, so a misspelt parameter fails here as it would in production.
SESSION_PARAMS = {
    "mode", "line_items", "success_url", "cancel_url", "client_reference_id", "customer_email",
    "metadata", "payment_intent_data", "locale", "expires_at", "payment_method_types", "expand",
    "submit_type", "billing_address_collection", "phone_number_collection", "customer_creation",
    "allow_promotion_codes", "ui_mode",
}  # fmt: skip
PAYMENT_INTENT_DATA_PARAMS = {
    "metadata", "description", "statement_descriptor", "statement_descriptor_suffix",
    "receipt_email", "capture_method", "setup_future_usage",
}  # fmt: skip
REFUND_PARAMS = {"payment_intent", "charge", "amount", "reason", "metadata", "expand"}
REFUND_REASONS = {"duplicate", "fraudulent", "requested_by_customer"}

# Stripe's test cards that are declined (generic decline, insufficient funds); any other number
# that passes the Luhn check pays, with any future expiry date and any CVC.
DECLINED_CARDS = {"4000000000000002", "4000000000009995"}

# The hosted page's words. Stripe shows its page in the session's `locale`; so does this one.
PAGE_TEXT = {
    "en": {
        "language": "en",
        "title": "Pay by card",
        "reference": "Reference",
        "card_number": "Card number",
        "card_expiry": "Expiry date (MM / YY)",
        "card_cvc": "Security code (CVC)",
        "pay": "Pay {amount}",
        "cancel": "Cancel and go back to the shop",
        "test": (
            "Test payment page: no card is charged. 4242 4242 4242 4242 pays, "
            "4000 0000 0000 0002 is declined; any future expiry date and any CVC."
        ),
        "invalid_number": "Your card number is invalid.",
        "invalid_expiry": "Your card's expiry date is incomplete or in the past.",
        "invalid_cvc": "Your card's security code is incomplete.",
        "declined": "Your card was declined. Try another card.",
        "complete": "This checkout session is complete.",
        "expired": "This checkout session has expired.",
        "paid": "Payment received.",
        "not_found": "No such checkout session.",
    },
    "vi": {
        "language": "vi",
        "title": "Thanh toán bằng thẻ",
        "reference": "Mã tham chiếu",
        "card_number": "Số thẻ",
        "card_expiry": "Ngày hết hạn (MM / YY)",
        "card_cvc": "Mã bảo mật (CVC)",
        "pay": "Thanh toán {amount}",
        "cancel": "Huỷ và quay lại cửa hàng",
        "test": (
            "Trang thanh toán thử nghiệm: không thẻ nào bị trừ tiền. Thẻ 4242 4242 4242 4242 "
            "thanh toán được, thẻ 4000 0000 0000 0002 bị từ chối; ngày hết hạn bất kỳ trong "
            "tương lai, mã CVC bất kỳ."
        ),
        "invalid_number": "Số thẻ không hợp lệ.",
        "invalid_expiry": "Ngày hết hạn của thẻ chưa đủ hoặc đã qua.",
        "invalid_cvc": "Mã bảo mật của thẻ chưa đủ.",
        "declined": "Thẻ của bạn bị từ chối. Hãy dùng thẻ khác.",
        "complete": "Phiên thanh toán này đã hoàn tất.",
        "expired": "Phiên thanh toán này đã hết hạn.",
        "paid": "Đã nhận thanh toán.",
        "not_found": "Không có phiên thanh toán này.",
    },
}
PAGE_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}"
    "main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px}"
    "h1{font-size:1.2rem}.amount{font-size:1.6rem;font-weight:600}"
    "label{display:block;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5rem;"
    "font-size:1rem;border:1px solid #8792a2;border-radius:4px}"
    "button{width:100%;padding:.75rem;font-size:1rem;background:#635bff;color:#fff;border:0;"
    "border-radius:4px}.problem{color:#b3093c;font-weight:600}.test{color:#4f566b}"
)

KEY_PATTERN = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class ApiError(Exception):
    """An answer in Stripe's error shape."""

    def __init__(self, status, message, *, type="invalid_request_error", code=None, param=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param

    def body(self):
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value for `payload`: `t=<ts>,v1=<hex HMAC-SHA256>`.

    Stripe signs the bytes `"<timestamp>.<body>"` with the endpoint's secret (the whole
    `whsec_…` string is the HMAC key).
    """
    if timestamp is None:
        timestamp = int(time.time())
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def parse_params(pairs):
    """Stripe's bracket notation to nested dicts and lists.

    `line_items[0][quantity]=1` becomes `{"line_items": [{"quantity": "1"}]}`; a dict whose keys
    are all digits becomes a list, except under `metadata`, where "0" is just a key.
    """
    root = {}
    for key, value in pairs:
        match = KEY_PATTERN.match(key)
        if not match:
            raise ApiError(400, f"Invalid parameter name: {key}", code="parameter_invalid")
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            if part == "":  # `expand[]=x` appends
                part = str(len(node))
            if depth == len(parts) - 1:
                if isinstance(node.get(part), dict):
                    raise ApiError(400, f"Invalid value for {key}", code="parameter_invalid")
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ApiError(400, f"Invalid parameter name: {key}", code="parameter_invalid")
    return _listify(root)


def _listify(node, under_metadata=False):
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v, under_metadata=(k == "metadata")) for k, v in node.items()}
    if converted and not under_metadata and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def new_id(prefix):
    return f"{prefix}_{secrets.token_hex(12)}"


def format_amount(amount, currency):
    """How the fake payment page shows an amount (VND the Vietnamese way: 125.000 ₫)."""
    if currency == "vnd":
        return f"{amount:,}".replace(",", ".") + " ₫"
    if currency in ZERO_DECIMAL:
        return f"{amount:,} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


class FakeStripe:
    """Stripe's API for Checkout Sessions, PaymentIntents and refunds, held in memory.

    Use it as a context manager (or `start()` / `stop()`); `url` is the value for
    `STRIPE_API_BASE`. With `webhook_url` and `webhook_secret`, paying on the fake hosted page
    posts the signed events named in `webhook_events` to the app, as Stripe would.
    """

    def __init__(
        self,
        api_key="sk_test_local",
        *,
        webhook_url=None,
        webhook_secret=None,
        webhook_events=("checkout.session.completed",),
        host="127.0.0.1",
        port=0,
    ):
        self.api_key = api_key
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.webhook_events = tuple(webhook_events)
        self.sessions = {}
        self.payment_intents = {}
        self.refunds = {}
        self.events = {}
        self.requests = []
        self.deliveries = []
        self.created_sessions = 0
        self.created_payment_intents = 0
        self.created_refunds = 0
        self._line_items = {}
        self._session_pi_data = {}
        self._charges = {}
        self._idempotent = {}
        self._faults = []
        self._lock = threading.RLock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server._handle(self, "GET")

            def do_POST(self):
                server._handle(self, "POST")

            def do_DELETE(self):
                server._handle(self, "DELETE")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        # A short poll so that stop() returns at once instead of after up to half a second.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- test controls ---------------------------------------------------------------------

    def fail_next(self, n, status=500):
        """The next `n` API requests (`/v1/…`) fail with `status` in Stripe's error shape.

        `status=0` drops the connection without an answer (a network failure). A failed request
        is not remembered under its idempotency key, so the client's retry really runs.
        """
        with self._lock:
            self._faults.extend([status] * n)

    def pay(self, session_id, *, email=None):
        """The buyer pays: the session completes with a succeeded PaymentIntent.

        Returns the `checkout.session.completed` event; a `payment_intent.succeeded` event is
        recorded too (`payment_intent_event` gives it again with a new id).
        """
        with self._lock:
            session = self._open_session(session_id)
            intent = self._intent_for(session)
            intent["status"] = "succeeded"
            intent["amount_received"] = intent["amount"]
            intent["latest_charge"] = intent["latest_charge"] or new_id("ch")
            intent["last_payment_error"] = None
            self._charges[intent["latest_charge"]] = intent["id"]
            session.update(
                status="complete",
                payment_status="paid",
                url=None,
                customer_details={
                    "email": email or session["customer_email"] or "buyer@example.com",
                    "name": "Test Buyer",
                    "phone": None,
                    "address": None,
                },
            )
            self.make_event("payment_intent.succeeded", intent)
            return self.make_event("checkout.session.completed", session)

    def decline(self, session_id, *, message="Your card was declined."):
        """A card is declined: the session stays open; returns `payment_intent.payment_failed`."""
        with self._lock:
            session = self._open_session(session_id)
            intent = self._intent_for(session)
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": message,
            }
            return self.make_event("payment_intent.payment_failed", intent)

    def expire_session(self, session_id):
        """The session runs out (or is expired); returns `checkout.session.expired`."""
        with self._lock:
            session = self._open_session(session_id)
            self._expire(session)
            return self.make_event("checkout.session.expired", session)

    def payment_intent_event(self, pi_id, type="payment_intent.succeeded"):
        """A fresh event of `type` whose `data.object` is the PaymentIntent as it is now."""
        with self._lock:
            return self.make_event(type, self._get(self.payment_intents, pi_id, "payment_intent"))

    def make_event(self, type, obj):
        """An event in Stripe's shape with a snapshot of `obj`; kept for `GET /v1/events/<id>`."""
        event = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type,
        }
        with self._lock:
            self.events[event["id"]] = event
        return deepcopy(event)

    def signed_payload(self, event, secret=None, timestamp=None):
        """`(body, Stripe-Signature header)` for posting `event` to the app's webhook view."""
        body = json.dumps(event).encode()
        return body, sign(body, secret or self.webhook_secret, timestamp)

    def deliver(self, event, url=None, secret=None):
        """Posts `event`, signed, to the webhook URL; returns the HTTP status (None on failure).

        Failures are logged and recorded in `deliveries`, never raised, as Stripe would just
        retry later.
        """
        url = url or self.webhook_url
        body, header = self.signed_payload(event, secret)
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": header,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        status = None
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
            logger.warning("Webhook %s to %s answered %s", event["type"], url, error.code)
        except (OSError, ValueError) as error:
            logger.warning("Webhook %s to %s failed: %s", event["type"], url, error)
        with self._lock:
            self.deliveries.append(
                {"event_id": event["id"], "type": event["type"], "url": url, "status": status}
            )
        return status

    def last_request(self, method=None, path=None):
        """The most recent logged request, optionally of one method and path."""
        for entry in reversed(self.requests):
            if (method is None or entry["method"] == method) and (
                path is None or entry["path"] == path
            ):
                return entry
        return None

    # -- HTTP ------------------------------------------------------------------------------

    def _handle(self, request, method):
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if url.path.startswith("/pay/"):
            return self._hosted_page(request, method, url.path[len("/pay/") :], raw)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        if method == "POST":
            pairs += parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        entry = {
            "method": method,
            "path": url.path,
            "params": dict(pairs),
            "data": None,
            "headers": dict(request.headers),
            "idempotency_key": request.headers.get("Idempotency-Key"),
            "status": None,
        }
        with self._lock:
            self.requests.append(entry)
            fault = self._faults.pop(0) if self._faults else None
        if fault is not None:
            entry["status"] = fault
            if fault == 0:
                request.close_connection = True
                return  # no answer at all: the client sees a dropped connection
            error = ApiError(
                fault,
                "An unknown error occurred (injected by the test server).",
                type="rate_limit_error" if fault == 429 else "api_error",
            )
            return self._reply(request, fault, error.body())
        try:
            self._authorize(request)
            data = parse_params(pairs)
            entry["data"] = data
            status, body, replayed = self._dispatch(method, url.path, data, entry)
        except ApiError as error:
            status, body, replayed = error.status, error.body(), False
        entry["status"] = status
        self._reply(request, status, body, replayed=replayed)

    def _authorize(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise ApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth "
                "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        key = header[len("Bearer ") :]
        if key != self.api_key:
            shown = f"{key[:8]}***{key[-4:]}" if len(key) > 12 else "***"
            raise ApiError(401, f"Invalid API Key provided: {shown}", code="api_key_invalid")

    def _dispatch(self, method, path, data, entry):
        routes = [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions", self._list_sessions),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", self._retrieve_session),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)/line_items", self._session_line_items),
            ("POST", r"/v1/checkout/sessions/(?P<id>[^/]+)/expire", self._expire_session),
            ("GET", r"/v1/payment_intents/(?P<id>[^/]+)", self._retrieve_payment_intent),
            ("POST", r"/v1/refunds", self._create_refund),
            ("GET", r"/v1/refunds", self._list_refunds),
            ("GET", r"/v1/refunds/(?P<id>[^/]+)", self._retrieve_refund),
            ("GET", r"/v1/events/(?P<id>[^/]+)", self._retrieve_event),
        ]
        for route_method, pattern, route_view in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                view, args = route_view, match.groupdict()
                break
        else:
            raise ApiError(404, f"Unrecognized request URL ({method}: {path}).")
        if method != "POST":
            with self._lock:
                return 200, view(data, **args), False
        return self._idempotent_post(path, data, entry, lambda: view(data, **args))

    def _idempotent_post(self, path, data, entry, run):
        """Stripe's idempotency: a key replays its first successful answer for the same request.

        The same key with other parameters (or another endpoint) is an `idempotency_error`.
        Errors are not remembered, so a request that failed validation can be corrected.
        """
        key = entry["idempotency_key"]
        fingerprint = (path, json.dumps(data, sort_keys=True))
        with self._lock:
            if key and key in self._idempotent:
                first_fingerprint, body = self._idempotent[key]
                if first_fingerprint != fingerprint:
                    raise ApiError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        f"they were first used with. Try using a key other than '{key}' if you "
                        "meant to execute a different request.",
                        type="idempotency_error",
                    )
                return 200, deepcopy(body), True
            body = run()
            if key:
                self._idempotent[key] = (fingerprint, deepcopy(body))
            return 200, body, False

    def _reply(self, request, status, body, replayed=False):
        payload = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(payload)))
            request.send_header("Request-Id", new_id("req"))
            request.send_header("Stripe-Version", API_VERSION)
            if replayed:
                request.send_header("Idempotent-Replayed", "true")
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up

    # -- Checkout Sessions -----------------------------------------------------------------

    def _create_session(self, data):
        _reject_unknown(data, SESSION_PARAMS)
        mode = data.get("mode")
        if mode is None:
            raise ApiError(
                400, "Missing required param: mode.", code="parameter_missing", param="mode"
            )
        if mode != "payment":
            raise ApiError(
                400,
                f"This test server supports only mode=payment, not {mode!r}.",
                code="parameter_invalid",
                param="mode",
            )
        items = data.get("line_items")
        if not isinstance(items, list) or not items:
            raise ApiError(
                400,
                "You must specify `line_items` in `payment` mode.",
                code="parameter_missing",
                param="line_items",
            )
        line_items, currency, total = [], None, 0
        for index, item in enumerate(items):
            line = self._line_item(item, index)
            if currency and line["currency"] != currency:
                raise ApiError(
                    400,
                    "All line items must have the same currency.",
                    code="parameter_invalid",
                    param="line_items",
                )
            currency = line["currency"]
            total += line["amount_total"]
            line_items.append(line)
        if total > MAX_AMOUNT:
            raise ApiError(
                400,
                "Amount must be no more than 99,999,999.",
                code="amount_too_large",
                param="line_items",
            )
        if total < 1:
            raise ApiError(
                400,
                "The Checkout Session's total amount must be greater than 0.",
                code="amount_too_small",
                param="line_items",
            )
        now = int(time.time())
        expires_at = now + MAX_SESSION_SECONDS
        if "expires_at" in data:
            expires_at = _integer(data["expires_at"], "expires_at")
            earliest = now + MIN_SESSION_SECONDS - EXPIRY_SLACK_SECONDS
            latest = now + MAX_SESSION_SECONDS + EXPIRY_SLACK_SECONDS
            if not earliest <= expires_at <= latest:
                raise ApiError(
                    400,
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                    "Checkout Session creation.",
                    code="parameter_invalid",
                    param="expires_at",
                )
        locale = data.get("locale", "auto")
        if locale not in CHECKOUT_LOCALES:
            raise ApiError(
                400, f"Invalid locale: {locale}", code="parameter_invalid", param="locale"
            )
        email = data.get("customer_email")
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise ApiError(
                400, f"Invalid email address: {email}", code="email_invalid", param="customer_email"
            )
        reference = data.get("client_reference_id")
        if reference is not None and not 1 <= len(reference) <= 200:
            raise ApiError(
                400,
                "client_reference_id must be 1 to 200 characters.",
                code="parameter_invalid",
                param="client_reference_id",
            )
        metadata = _metadata(data.get("metadata"), "metadata")
        pi_data = data.get("payment_intent_data") or {}
        if not isinstance(pi_data, dict):
            raise ApiError(
                400, "Invalid object", code="parameter_invalid", param="payment_intent_data"
            )
        _reject_unknown(pi_data, PAYMENT_INTENT_DATA_PARAMS, prefix="payment_intent_data")
        pi_data = dict(pi_data)
        pi_data["metadata"] = _metadata(pi_data.get("metadata"), "payment_intent_data[metadata]")
        session_id = new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": data.get("cancel_url"),
            "client_reference_id": reference,
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": email,
            "expires_at": expires_at,
            "livemode": False,
            "locale": locale,
            "metadata": metadata,
            "mode": "payment",
            # Since API version 2022-08-01 Checkout creates the PaymentIntent only when the
            # buyer confirms, so it stays null until then.
            "payment_intent": None,
            "payment_method_types": data.get("payment_method_types") or ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": data.get("success_url"),
            "ui_mode": "hosted",
            "url": f"{self.url}/pay/{session_id}",
        }
        self.sessions[session_id] = session
        self._line_items[session_id] = line_items
        self._session_pi_data[session_id] = pi_data
        self.created_sessions += 1
        return self._render_session(session, data.get("expand"))

    def _line_item(self, item, index):
        param = f"line_items[{index}]"
        if not isinstance(item, dict):
            raise ApiError(400, "Invalid object", code="parameter_invalid", param=param)
        if "price" in item:
            raise ApiError(
                400,
                "This test server supports only `price_data` line items.",
                code="parameter_invalid",
                param=f"{param}[price]",
            )
        price_data = item.get("price_data")
        if not isinstance(price_data, dict):
            raise ApiError(
                400,
                "You must specify either `price` or `price_data` for each line item.",
                code="parameter_missing",
                param=param,
            )
        currency = price_data.get("currency")
        if not currency or not re.fullmatch(r"[a-z]{3}", currency):
            raise ApiError(
                400,
                f"Invalid currency: {currency}",
                code="parameter_invalid",
                param=f"{param}[price_data][currency]",
            )
        if "unit_amount" not in price_data:
            raise ApiError(
                400,
                "Missing required param: unit_amount.",
                code="parameter_missing",
                param=f"{param}[price_data][unit_amount]",
            )
        unit_amount = _integer(price_data["unit_amount"], f"{param}[price_data][unit_amount]")
        if unit_amount < 0:
            raise ApiError(
                400,
                "Invalid non-negative integer",
                code="parameter_invalid_integer",
                param=f"{param}[price_data][unit_amount]",
            )
        name = (price_data.get("product_data") or {}).get("name")
        if not name:
            raise ApiError(
                400,
                "Missing required param: product_data[name].",
                code="parameter_missing",
                param=f"{param}[price_data][product_data][name]",
            )
        quantity = _integer(item.get("quantity", "1"), f"{param}[quantity]")
        if quantity < 1:
            raise ApiError(
                400,
                "Invalid positive integer",
                code="parameter_invalid_integer",
                param=f"{param}[quantity]",
            )
        return {
            "id": new_id("li"),
            "object": "item",
            "amount_subtotal": unit_amount * quantity,
            "amount_total": unit_amount * quantity,
            "currency": currency,
            "description": name,
            "quantity": quantity,
            "price": {
                "id": new_id("price"),
                "object": "price",
                "currency": currency,
                "unit_amount": unit_amount,
                "product": new_id("prod"),
                "type": "one_time",
            },
        }

    def _render_session(self, session, expand=None):
        expand = _expansions(expand, {"payment_intent", "line_items"})
        rendered = deepcopy(session)
        if "payment_intent" in expand and rendered["payment_intent"]:
            rendered["payment_intent"] = deepcopy(self.payment_intents[rendered["payment_intent"]])
        if "line_items" in expand:
            rendered["line_items"] = self._list(
                self._line_items[session["id"]], f"/v1/checkout/sessions/{session['id']}/line_items"
            )
        return rendered

    def _retrieve_session(self, data, id):
        _reject_unknown(data, {"expand"})
        session = self._refresh(self._get(self.sessions, id, "checkout.session"))
        return self._render_session(session, data.get("expand"))

    def _list_sessions(self, data):
        _reject_unknown(data, {"payment_intent", "status", "limit", "expand"})
        found = [self._refresh(s) for s in self.sessions.values()]
        if "payment_intent" in data:
            found = [s for s in found if s["payment_intent"] == data["payment_intent"]]
        if "status" in data:
            found = [s for s in found if s["status"] == data["status"]]
        return self._list(found, "/v1/checkout/sessions", data.get("limit"))

    def _session_line_items(self, data, id):
        _reject_unknown(data, {"limit", "expand"})
        self._get(self.sessions, id, "checkout.session")
        return self._list(
            self._line_items[id],
            f"/v1/checkout/sessions/{id}/line_items",
            data.get("limit"),
            newest_first=False,
        )

    def _expire_session(self, data, id):
        _reject_unknown(data, {"expand"})
        session = self._refresh(self._get(self.sessions, id, "checkout.session"))
        if session["status"] != "open":
            raise ApiError(
                400,
                f'Only Checkout Sessions with a status in ["open"] can be expired. This '
                f"Checkout Session has a status of {session['status']!r}.",
            )
        self._expire(session)
        self.make_event("checkout.session.expired", session)
        return self._render_session(session, data.get("expand"))

    def _expire(self, session):
        session.update(status="expired", url=None)

    def _refresh(self, session):
        # Stripe expires open sessions on its own once `expires_at` passes.
        if session["status"] == "open" and time.time() >= session["expires_at"]:
            self._expire(session)
            self.make_event("checkout.session.expired", session)
        return session

    def _open_session(self, session_id):
        session = self.sessions.get(session_id)
        if session is None:
            raise KeyError(f"No such checkout.session: {session_id!r}")
        self._refresh(session)
        if session["status"] != "open":
            raise ValueError(f"Checkout Session {session_id} is {session['status']}, not open")
        return session

    def _intent_for(self, session):
        """The session's PaymentIntent, created at the first payment attempt as Checkout does."""
        if session["payment_intent"]:
            return self.payment_intents[session["payment_intent"]]
        pi_data = self._session_pi_data[session["id"]]
        pi_id = new_id("pi")
        intent = {
            "id": pi_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_capturable": 0,
            "amount_received": 0,
            "canceled_at": None,
            "capture_method": pi_data.get("capture_method", "automatic_async"),
            "client_secret": f"{pi_id}_secret_{secrets.token_hex(8)}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": session["currency"],
            "customer": None,
            "description": pi_data.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": dict(pi_data["metadata"]),
            "payment_method": new_id("pm"),
            "payment_method_types": ["card"],
            "receipt_email": pi_data.get("receipt_email"),
            "status": "requires_payment_method",
        }
        self.payment_intents[pi_id] = intent
        self.created_payment_intents += 1
        session["payment_intent"] = pi_id
        return intent

    # -- PaymentIntents, refunds, events ---------------------------------------------------

    def _retrieve_payment_intent(self, data, id):
        _reject_unknown(data, {"expand", "client_secret"})
        _expansions(data.get("expand"), set())
        return deepcopy(self._get(self.payment_intents, id, "payment_intent"))

    def _create_refund(self, data):
        _reject_unknown(data, REFUND_PARAMS)
        if "payment_intent" in data:
            intent = self.payment_intents.get(data["payment_intent"])
            if intent is None:
                raise ApiError(
                    400,
                    f"No such payment_intent: '{data['payment_intent']}'",
                    code="resource_missing",
                    param="payment_intent",
                )
        elif "charge" in data:
            pi_id = self._charges.get(data["charge"])
            if pi_id is None:
                raise ApiError(
                    400,
                    f"No such charge: '{data['charge']}'",
                    code="resource_missing",
                    param="charge",
                )
            intent = self.payment_intents[pi_id]
        else:
            raise ApiError(
                400,
                "One of the following params should be provided for this "
                "request: payment_intent or charge.",
                code="parameter_missing",
            )
        if intent["status"] != "succeeded":
            raise ApiError(
                400,
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
                param="payment_intent",
            )
        refunded = sum(
            r["amount"]
            for r in self.refunds.values()
            if r["payment_intent"] == intent["id"] and r["status"] == "succeeded"
        )
        remaining = intent["amount_received"] - refunded
        if remaining <= 0:
            raise ApiError(
                400,
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = remaining
        if "amount" in data:
            amount = _integer(data["amount"], "amount")
            if amount < 1:
                raise ApiError(
                    400,
                    "Invalid positive integer",
                    code="parameter_invalid_integer",
                    param="amount",
                )
            if amount > remaining:
                currency = intent["currency"]
                raise ApiError(
                    400,
                    f"Refund amount ({format_amount(amount, currency)}) is greater than unrefunded "
                    f"amount on charge ({format_amount(remaining, currency)})",
                    code="amount_too_large",
                    param="amount",
                )
        reason = data.get("reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise ApiError(
                400,
                f"Invalid reason: must be one of {sorted(REFUND_REASONS)}",
                code="parameter_invalid",
                param="reason",
            )
        refund = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "charge": intent["latest_charge"],
            "created": int(time.time()),
            "currency": intent["currency"],
            "metadata": _metadata(data.get("metadata"), "metadata"),
            "payment_intent": intent["id"],
            "reason": reason,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        self.created_refunds += 1
        return deepcopy(refund)

    def _list_refunds(self, data):
        _reject_unknown(data, {"payment_intent", "charge", "limit", "expand"})
        found = list(self.refunds.values())
        if "payment_intent" in data:
            found = [r for r in found if r["payment_intent"] == data["payment_intent"]]
        if "charge" in data:
            found = [r for r in found if r["charge"] == data["charge"]]
        return self._list(found, "/v1/refunds", data.get("limit"))

    def _retrieve_refund(self, data, id):
        _reject_unknown(data, {"expand"})
        return deepcopy(self._get(self.refunds, id, "refund"))

    def _retrieve_event(self, data, id):
        _reject_unknown(data, {"expand"})
        return deepcopy(self._get(self.events, id, "event"))

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _get(store, object_id, kind):
        found = store.get(object_id)
        if found is None:
            raise ApiError(
                404, f"No such {kind}: '{object_id}'", code="resource_missing", param="id"
            )
        return found

    @staticmethod
    def _list(objects, url, limit=None, newest_first=True):
        limit = 10 if limit is None else _integer(limit, "limit")
        if not 1 <= limit <= 100:
            raise ApiError(
                400,
                "Invalid limit: must be between 1 and 100",
                code="parameter_invalid_integer",
                param="limit",
            )
        # Stripe lists newest first; creation order breaks ties within one second.
        ordered = list(reversed(objects)) if newest_first else list(objects)
        return {
            "object": "list",
            "data": deepcopy(ordered[:limit]),
            "has_more": len(ordered) > limit,
            "url": url,
        }

    # -- the hosted payment page -----------------------------------------------------------

    def _hosted_page(self, request, method, session_id, raw):
        with self._lock:
            session = self.sessions.get(session_id)
            if session is not None:
                self._refresh(session)
                session = deepcopy(session)
        if session is None:
            text = page_text("en")
            return self._page(request, 404, text, f"<p>{text['not_found']}</p>")
        text = page_text(session["locale"])
        if method == "POST":
            form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            return self._hosted_pay(request, session, form, text)
        if session["status"] != "open":
            return self._page(request, 200, text, f"<p>{text[session['status']]}</p>")
        return self._card_form(request, session, text)

    def _card_form(self, request, session, text, *, problem=None, form=None):
        form = form or {}
        amount = html.escape(format_amount(session["amount_total"], session["currency"]))
        names = ", ".join(item["description"] for item in self._line_items[session["id"]])
        cancel = ""
        if session["cancel_url"]:
            cancel = f'<p><a href="{html.escape(session["cancel_url"])}">{text["cancel"]}</a></p>'
        alert = f'<p class="problem" role="alert">{text[problem]}</p>' if problem else ""

        def field(name, label, placeholder, **attributes):
            extra = "".join(f' {key}="{value}"' for key, value in attributes.items())
            value = html.escape(form.get(name, "")) if name != "card_cvc" else ""
            return (
                f'<p><label for="{name}">{label}</label>'
                f'<input id="{name}" name="{name}" value="{value}" placeholder="{placeholder}"'
                f" required{extra}></p>"
            )

        body = (
            f"<h1>{html.escape(names)}</h1>"
            f'<p class="amount">{amount}</p>'
            f"<p>{text['reference']}: {html.escape(session['client_reference_id'] or '')}</p>"
            f"{alert}"
            f'<form method="post" action="/pay/{html.escape(session["id"])}">'
            + field(
                "card_number",
                text["card_number"],
                "4242 4242 4242 4242",
                inputmode="numeric",
                autocomplete="cc-number",
            )
            + field("card_expiry", text["card_expiry"], "12 / 34", autocomplete="cc-exp")
            + field("card_cvc", text["card_cvc"], "123", inputmode="numeric", autocomplete="cc-csc")
            + f'<button type="submit" name="pay" value="1">{text["pay"].format(amount=amount)}'
            f"</button></form>{cancel}"
            f'<p class="test"><small>{text["test"]}</small></p>'
        )
        return self._page(request, 200, text, body)

    def _hosted_pay(self, request, session, form, text):
        # The page's form sends a card; a test pressing "Pay" from Python may send none.
        if session["status"] == "open" and "card_number" in form:
            problem = card_problem(
                form.get("card_number"), form.get("card_expiry"), form.get("card_cvc")
            )
            if problem == "declined":
                with contextlib.suppress(ValueError):  # expired or paid meanwhile
                    self.decline(session["id"])
            if problem:
                return self._card_form(request, session, text, problem=problem, form=form)
        try:
            event = self.pay(session["id"]) if session["status"] == "open" else None
        except ValueError:  # paid or expired by another request meanwhile
            event = None
            session = deepcopy(self.sessions[session["id"]])
        if session["status"] == "expired":
            return self._page(request, 410, text, f"<p>{text['expired']}</p>")
        if event is not None:
            events = {"checkout.session.completed": event}
            if "payment_intent.succeeded" in self.webhook_events:
                pi_id = event["data"]["object"]["payment_intent"]
                events["payment_intent.succeeded"] = self.payment_intent_event(pi_id)
            # Delivered outside the lock: the app's webhook view may call this server back.
            if self.webhook_url and self.webhook_secret:
                for event_type in self.webhook_events:
                    if event_type in events:
                        self.deliver(events[event_type])
        # A second press of "Pay" (a double click) just goes on to the success page again.
        target = (session["success_url"] or "").replace("{CHECKOUT_SESSION_ID}", session["id"])
        if not target:
            return self._page(request, 200, text, f"<p>{text['paid']}</p>")
        try:
            request.send_response(303)
            request.send_header("Location", target)
            request.send_header("Content-Length", "0")
            request.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _page(request, status, text, body):
        page = (
            f'<!doctype html><html lang="{text["language"]}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            # No favicon request: a browser test fails on any answer of 404.
            '<link rel="icon" href="data:,">'
            f"<title>{text['title']}</title><style>{PAGE_STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>"
        ).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "text/html; charset=utf-8")
            request.send_header("Content-Length", str(len(page)))
            request.end_headers()
            request.wfile.write(page)
        except (BrokenPipeError, ConnectionResetError):
            pass


def card_problem(number, expiry, cvc, today=None):
    """What Stripe's test mode would say of this card: None when it pays, else "invalid_number",
    "invalid_expiry", "invalid_cvc" or "declined" (for the test cards that Stripe declines)."""
    digits = re.sub(r"[\s-]", "", number or "")
    if not re.fullmatch(r"\d{12,19}", digits) or not luhn_valid(digits):
        return "invalid_number"
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", expiry or "")
    if not match:
        return "invalid_expiry"
    month, year = int(match[1]), int(match[2])
    year = year + 2000 if year < 100 else year
    today = today or datetime.date.today()
    if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
        return "invalid_expiry"
    if not re.fullmatch(r"\d{3,4}", (cvc or "").strip()):
        return "invalid_cvc"
    if digits in DECLINED_CARDS:
        return "declined"
    return None


def luhn_valid(digits):
    """The card number's check digit holds (the Luhn algorithm)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def page_text(locale):
    """What the hosted page says, in the session's language (Vietnamese or English)."""
    return PAGE_TEXT["vi" if (locale or "").lower().startswith("vi") else "en"]


def _reject_unknown(data, allowed, prefix=None):
    for name in data:
        if name not in allowed:
            shown = f"{prefix}[{name}]" if prefix else name
            raise ApiError(
                400, f"Received unknown parameter: {shown}", code="parameter_unknown", param=shown
            )


def _integer(value, param):
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise ApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer", param=param)


def _metadata(value, param):
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "Invalid object", code="parameter_invalid", param=param)
    if len(value) > 50:
        raise ApiError(
            400, "Metadata can have at most 50 keys.", code="parameter_invalid", param=param
        )
    for key, item in value.items():
        if len(key) > 40 or not isinstance(item, str) or len(item) > 500:
            raise ApiError(
                400,
                "Metadata keys are at most 40 characters and values at most 500.",
                code="parameter_invalid",
                param=f"{param}[{key}]",
            )
    # An empty value unsets a key in Stripe.
    return {key: item for key, item in value.items() if item != ""}


def _expansions(expand, allowed):
    if expand is None:
        return set()
    names = expand if isinstance(expand, list) else [expand]
    for name in names:
        if name not in allowed:
            raise ApiError(
                400,
                f"This property cannot be expanded ({name}).",
                code="parameter_invalid",
                param="expand",
            )
    return set(names)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--key", default="sk_test_local", help="the secret key clients must send")
    parser.add_argument("--webhook-url", help="where paid sessions are reported, signed")
    parser.add_argument("--webhook-secret", help="the whsec_… secret the app verifies with")
    parser.add_argument(
        "--webhook-event",
        action="append",
        dest="webhook_events",
        help="event types to deliver on payment (repeatable; default checkout.session.completed)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = FakeStripe(
        args.key,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        webhook_events=args.webhook_events or ("checkout.session.completed",),
        host=args.host,
        port=args.port,
    )
    # Flushed at once: whoever started the server (a test, a script) waits for this line.
    print(f"Stripe-compatible test server on {server.url}", flush=True)
    # The settings the site needs to use it, as environment variables.
    needed = f"STRIPE_API_BASE={server.url} STRIPE_SECRET_KEY={args.key}"
    if args.webhook_secret:
        needed += f" STRIPE_WEBHOOK_SECRET={args.webhook_secret}"
    print(f"  {needed}", flush=True)
    if args.webhook_url:
        print(f"  paid sessions are posted to {args.webhook_url}", flush=True)
    try:
        server.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()


if __name__ == "__main__":
    main()
