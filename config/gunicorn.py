"""gunicorn settings, all from the environment: `gunicorn -c config/gunicorn.py config.wsgi`.

See README → "Deploy it" for the variables.
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The project root, so `config.logs` can be imported before the application is.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from config.logs import build_logging  # noqa: E402


def _int(name, default):
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")
# 2 × cores + 1, capped: every worker holds its own database connections (one per thread).
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
# More than one thread selects the gthread worker, which also keeps connections alive.
threads = _int("GUNICORN_THREADS", 2)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Workers are replaced after this many requests (spread by the jitter) to bound slow leaks. Not
# fewer: a new worker imports Django again (about 1.5 s of CPU) and drops its kept-alive
# connections; at 1,000 requests a worker serving cached pages was replaced every few seconds,
# which cut throughput by half or more and failed requests (benchmarks/pages.py).
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Proxies whose X-Forwarded-* headers gunicorn believes.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Heartbeat files in memory: a slow or full disk must not make the arbiter kill workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# Not preloaded: each worker imports Django after the fork, so no database or Redis connection
# opened at import time is shared between processes, and a restart picks up new code.
preload_app = False
# No control socket in $HOME unless asked for (several instances on one host would collide).
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket

# Logs on stdout/stderr; with LOG_FORMAT=json (the default) every line, access lines included,
# is one JSON object from config/logs.py; with text, gunicorn's combined access format.
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
accesslog = "-"
errorlog = "-"
if os.environ.get("LOG_FORMAT", "json").lower() == "json":
    logconfig_dict = build_logging(
        "json",
        os.environ.get("LOG_LEVEL", "INFO"),
        extra_loggers=[("gunicorn.error", loglevel.upper()), ("gunicorn.access", "INFO")],
    )
else:
    access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
