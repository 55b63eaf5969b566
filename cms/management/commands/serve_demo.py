"""`manage.py serve_demo [ADDR:PORT]`: the demo site, and beside it a card server to pay on.

`make demo` runs it. Unless card payments are configured already (STRIPE_SECRET_KEY set), it
starts the Stripe-compatible server (shop/payments/stripe_devserver.py) on the site's port + 1
(or any free port), with fresh keys, posting its signed webhooks to the site's
/shop/payments/stripe/webhook/, and runs `manage.py runserver` with STRIPE_API_BASE,
STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET pointing at it: a visitor pays by card on its hosted
page (card 4242 4242 4242 4242, no real money) and comes back to a paid order. Both stop
together: on Ctrl+C, on SIGTERM, or when runserver exits.
"""

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

WEBHOOK_PATH = "/shop/payments/stripe/webhook/"
STARTUP_SECONDS = 30


class Command(BaseCommand):
    help = (
        "Serve the demo with runserver and a Stripe-compatible card server beside it, so card "
        "payments work end to end without Stripe; both stop together."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--card-port",
            type=int,
            help="Port of the card server (default: the site's port + 1, or any free port).",
        )
        parser.add_argument(
            "--no-card", action="store_true", help="Serve without the demo card server."
        )
        parser.add_argument(
            "--noreload", action="store_true", help="Passed on to runserver: no auto-reloader."
        )

    def handle(self, *args, addrport, card_port, no_card, noreload, **options):
        host, port = split_addrport(addrport)
        env = dict(os.environ)
        card = site = None
        code = 0
        # Ctrl+C reaches this process only (each child has a process group of its own, which
        # `stop` ends whole: runserver's reloader and the server it runs); SIGTERM does the same.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            if settings.STRIPE_SECRET_KEY:
                self.stdout.write(
                    f"Card payments go to {settings.STRIPE_API_BASE} (STRIPE_SECRET_KEY is set): "
                    "no demo card server."
                )
            elif not no_card:
                card, card_env = start_card_server(host, port, card_port)
                env.update(card_env)
                self.stdout.write(
                    f"Demo card server on {card_env['STRIPE_API_BASE']}: no real money is taken; "
                    "pay with the card 4242 4242 4242 4242, any future expiry date, any CVC."
                )
            command = [sys.executable, "manage.py", "runserver", addrport]
            if noreload:
                command.append("--noreload")
            site = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            code = site.wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping the site and the demo card server.")
        finally:
            for process in (site, card):
                if process is not None:
                    stop(process)
        if code:
            raise CommandError(f"runserver exited with status {code}", returncode=code)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def split_addrport(addrport):
    """(host, port) of runserver's `[ADDR:]PORT` argument."""
    match = re.fullmatch(r"(?:\[?([^\]]*?)\]?:)?(\d+)", addrport)
    if not match:
        raise CommandError(f'"{addrport}" is not a port number or address:port pair.')
    return match[1] or "127.0.0.1", int(match[2])


def local_host(host):
    """An address this machine reaches the site on: the one served on, or loopback for any."""
    return "127.0.0.1" if host in ("", "0", "0.0.0.0", "::", "localhost") else host


def free(host, port):
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def start_card_server(host, site_port, card_port=None):
    """The card server as a child process, and the settings the site needs to use it."""
    host = local_host(host)
    if card_port is None:
        card_port = site_port + 1 if free(host, site_port + 1) else 0
    key = f"sk_test_demo_{secrets.token_hex(8)}"
    webhook_secret = f"whsec_demo_{secrets.token_hex(16)}"
    bracketed = f"[{host}]" if ":" in host else host
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shop.payments.stripe_devserver",
            "--host",
            host,
            "--port",
            str(card_port),
            "--key",
            key,
            "--webhook-url",
            f"http://{bracketed}:{site_port}{WEBHOOK_PATH}",
            "--webhook-secret",
            webhook_secret,
        ],
        cwd=settings.BASE_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    url = _announced_url(process)
    # Its later output (none so far) must not fill the pipe and block it.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process, {
        "STRIPE_API_BASE": url,
        "STRIPE_SECRET_KEY": key,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
    }


def _announced_url(process):
    """The server's address, from the line it prints once it listens."""
    found = {}

    def read():
        for line in process.stdout:
            match = re.search(r"STRIPE_API_BASE=(\S+)", line)
            if match:
                found["url"] = match[1]
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(STARTUP_SECONDS)
    if "url" not in found:
        stop(process)
        raise CommandError("The demo card server did not start (see the lines above).")
    return found["url"]


def stop(process):
    """Ends a child and every process of its group: SIGTERM, then SIGKILL if it lingers."""
    for signum, seconds in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=seconds)
    # The group may outlive its leader (runserver's reloader gone, its server not yet).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
