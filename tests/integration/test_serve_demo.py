"""`manage.py serve_demo`, what `make demo` serves with: the site and the demo card server start
together as processes of their own, the site's settings and policy point at the card server, a
card payment goes through its hosted page and signed webhook to a paid order, and both stop
together."""

import html
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from cms.management.commands.serve_demo import split_addrport
from shop.order.emails import status_path
from shop.payments.models import StripeEvent
from tests.factories import certified_product, placed_order
from tests.production.conftest import database_url
from tests.s3 import free_port

NOTICE = "Máy chủ thẻ thử nghiệm: không có khoản tiền thật nào bị trừ."


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(condition, what, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(f"serve_demo exited: {log.read_text()}")
        time.sleep(0.1)
    raise AssertionError(f"{what} in {seconds}s: {log.read_text()}")


@pytest.fixture
def demo_served(committed_db, tmp_path):
    """`manage.py serve_demo` on a free port, over the test database; yields
    (site URL, card server URL, process, log)."""
    port = free_port()
    # The demo's settings (make demo), over the test database; the same secret key as this
    # process, so the order's signed link is the same on both sides.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STRIPE_") and k not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(),
        SITE_URL=f"http://127.0.0.1:{port}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "serve_demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve_demo", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        announced = re.compile(r"Demo card server on (http://\S+):")
        wait_for(lambda: announced.search(log.read_text()), "no card server", process, log)
        wait_for(lambda: listening(port), "the site did not listen", process, log)
        card_url = announced.search(log.read_text())[1]
        yield f"http://127.0.0.1:{port}", card_url, process, log
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def test_a_card_payment_goes_through_the_demo_card_server(demo_served):
    site, card_url, process, log = demo_served
    card_port = urllib.parse.urlsplit(card_url).port
    assert card_port == urllib.parse.urlsplit(site).port + 1  # the site's port + 1 was free
    order = placed_order((certified_product(price=125000, stock=3), 1), method="stripe")
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    with browser.open(site + status_path(order)) as response:
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode()
    assert f"form-action 'self' {card_url}" in policy
    assert NOTICE in page
    pay = re.search(r'<form method="post" action="([^"]+/card/)">', page)[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    # "Pay" answers with the hosted page of the card server (urllib follows the 303).
    with browser.open(
        site + pay, urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    ) as response:
        hosted = response.url
        page = response.read().decode()
    assert hosted.startswith(f"{card_url}/pay/cs_test_")
    assert "125.000 ₫" in page and 'name="card_number"' in page

    card = {"card_number": "4242 4242 4242 4242", "card_expiry": "12 / 34", "card_cvc": "123"}
    with browser.open(hosted, urllib.parse.urlencode(card).encode()) as response:
        back = response.url
        page = html.unescape(response.read().decode())
    assert back == site + status_path(order)
    with translation.override("vi"):
        assert gettext("Thank you: your card payment was received.") in page
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert StripeEvent.objects.get().outcome == "paid"  # by the signed webhook

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert not listening(urllib.parse.urlsplit(site).port)
    assert not listening(card_port)


@pytest.mark.parametrize(
    ("addrport", "expected"),
    [("8800", ("127.0.0.1", 8800)), ("0.0.0.0:8000", ("0.0.0.0", 8000)), ("[::1]:80", ("::1", 80))],
)
def test_addresses_are_read_as_runserver_reads_them(addrport, expected):
    assert split_addrport(addrport) == expected
