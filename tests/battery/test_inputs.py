"""Item 7: bad input, generated. Hypothesis writes inputs for the QR/Digital Link routes, the
search pages, the public forms and the API's query strings; schemathesis reads
/api/v1/openapi.json and calls every operation with data that fits the document and data that
does not, in-process against the WSGI application, and checks each answer against the document
(status codes, content type, body schema).

Target: 0 server errors, 0 answers that break the documented schema. The fast suite sends
about 1,000 inputs; `make soak` sends 10,000 (plus 2,000 schemathesis cases).
"""

import datetime
import random
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from tests.factories import CertificationFactory, certified_product
from traceability.digital_link import MalformedLink, parse_digital_link
from traceability.models import Label, Lot

pytestmark = pytest.mark.django_db

GTIN = "08936045900017"

# Share of the inputs each target gets (fast suite: 1,000 in all; soak: 10,000).
TARGETS = {
    "QR and Digital Link routes": 0.3,
    "search and catalogue": 0.2,
    "public forms": 0.3,
    "API query strings": 0.2,
}


@pytest.fixture
def world():
    """Products with certificates, one with a GTIN, a lot and labels; one not certified."""
    today = timezone.localdate()
    products = [
        certified_product(
            certification=CertificationFactory(
                stars=stars, decision_date=today - datetime.timedelta(days=100 * stars)
            ),
            title=title,
            **extra,
        )
        for stars, title, extra in (
            (4, "Chè Shan tuyết Tủa Chùa", {"gtin": GTIN[1:]}),
            (3, "Mật ong bạc hà", {}),
            (5, "Gạo Séng Cù", {}),
        )
    ]
    lot = Lot.objects.create(
        product=products[0], code="L2026-07", produced_on=today - datetime.timedelta(days=20)
    )
    labels = [Label.objects.create(lot=lot) for _ in range(3)]
    return {"products": products, "lot": lot, "labels": labels}


def addresses():
    return st.integers(1, 2**24 - 1).map(lambda n: f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}")


TEXT = st.text(max_size=60)  # any Unicode, NUL and surrogate-free controls included
SHORT = st.one_of(TEXT, st.sampled_from(["", " ", "0", "-1", "1e9", "9" * 40, "%", "\x00"]))


def run(name, examples, strategy, send, figures):
    """Send `examples` inputs drawn from `strategy`; a 5xx fails (hypothesis shrinks it)."""
    counts = figures.setdefault(name, {"inputs": 0, "server_errors": 0})

    @hypothesis_settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=strategy)
    def check(data):
        counts["inputs"] += 1
        status = send(data)
        if status >= 500:
            counts["server_errors"] += 1
        assert status < 500, (name, data, status)

    check()


# --- QR and Digital Link routes ---------------------------------------------------------------


def qr_inputs(world):
    serials = [label.serial for label in world["labels"]]
    known = [
        f"{GTIN}/10/L2026-07",
        f"{GTIN}/10/L2026-07/21/{serials[0]}",
        GTIN[1:],
    ]
    rest = st.one_of(TEXT, st.sampled_from(known), st.tuples(st.sampled_from(known), TEXT))
    return st.fixed_dictionaries(
        {
            "form": st.sampled_from(["01", "q"]),
            "rest": rest.map(lambda r: "/".join(r) if isinstance(r, tuple) else r),
            "query": st.dictionaries(
                st.sampled_from(["lang", "linkType", "region", "share", "utm_source", "x"]),
                st.one_of(
                    SHORT,
                    st.sampled_from(
                        ["en", "fr", "gs1:pip", "linkset", "all", "gs1:certificationInfo", "VN"]
                    ),
                ),
                max_size=4,
            ),
            "accept": st.sampled_from(
                ["text/html", "application/linkset+json", "*/*", "application/json;q=0", ""]
            ),
            "language": st.one_of(SHORT, st.sampled_from(["vi", "en-GB,en;q=0.9", "fr;q=x"])),
            "method": st.sampled_from(["GET", "GET", "HEAD", "OPTIONS", "POST"]),
            "address": addresses(),
        }
    ).filter(lambda d: d["form"] == "01" or d["rest"])


def send_qr(client):
    def send(data):
        path = f"/{data['form']}/{quote(data['rest'], safe='/')}"
        query = urlencode(data["query"])
        headers = {
            "HTTP_ACCEPT": data["accept"],
            "HTTP_ACCEPT_LANGUAGE": data["language"],
            "REMOTE_ADDR": data["address"],
        }
        response = client.generic(data["method"], f"{path}?{query}", **headers)
        if data["form"] == "01" and response.status_code == 200:
            # Never a 200 for a link that is not well formed: the parser must accept it.
            rest = response.wsgi_request.path_info[len("/01/") :]
            try:
                parse_digital_link(rest)
            except MalformedLink:
                return 599  # counted as a failure: a malformed link answered 200
        return response.status_code

    return send


# --- Search and catalogue ---------------------------------------------------------------------


def search_inputs():
    return st.fixed_dictionaries(
        {
            "path": st.sampled_from(
                [
                    "/search/",
                    "/en/search/",
                    "/shop/search/",
                    "/shop/catalogue/",
                    "/en/shop/catalogue/",
                ]
            ),
            "query": st.dictionaries(
                st.sampled_from(["q", "page", "sort_by", "selected_facets", "category", "x"]),
                st.one_of(SHORT, st.sampled_from(["che shan tuyet", "Chè", "2", "9999999999"])),
                max_size=3,
            ),
        }
    )


def send_search(client):
    def send(data):
        return client.get(f"{data['path']}?{urlencode(data['query'])}").status_code

    return send


# --- Public forms ---------------------------------------------------------------------------------


FORMS = {
    "login": (
        "/shop/accounts/login/",
        {"login-username": TEXT, "login-password": TEXT, "login_submit": st.just("1")},
    ),
    "register": (
        "/shop/accounts/login/",
        {
            "registration-email": st.one_of(TEXT, st.emails()),
            "registration-password1": TEXT,
            "registration-password2": TEXT,
            "registration_submit": st.just("1"),
        },
    ),
    "admin login": ("/django-admin/login/", {"username": TEXT, "password": TEXT}),
    "password reset": ("/shop/password-reset/", {"email": st.one_of(TEXT, st.emails())}),
    "language": ("/i18n/setlang/", {"language": SHORT, "next": st.one_of(TEXT, st.just("/en/"))}),
    "basket add": ("/shop/basket/add/{product}/", {"quantity": SHORT}),
    "voucher": ("/shop/basket/vouchers/add/", {"code": TEXT}),
    "checkout gateway": (
        "/shop/checkout/",
        {
            "username": st.one_of(TEXT, st.emails()),
            "phone": st.one_of(TEXT, st.from_regex(r"\A0[35789]\d{8}\Z")),
            "options": st.sampled_from(["anonymous", "new", "existing", "", "x"]),
            "password": TEXT,
        },
    ),
    "shipping address": (
        "/shop/checkout/shipping-address/",
        {
            "full_name": TEXT,
            "phone_number": st.one_of(TEXT, st.from_regex(r"\A0[35789]\d{8}\Z")),
            "province_code": st.one_of(SHORT, st.sampled_from(["1", "11", "79"])),
            "commune_code": st.one_of(SHORT, st.sampled_from(["256", "3217"])),
            "line1": TEXT,
            "postcode": SHORT,
            "notes": TEXT,
        },
    ),
    "communes": ("/shop/checkout/communes/{number}/", {}),
}


def form_inputs():
    def one(name):
        url, fields = FORMS[name]
        return st.fixed_dictionaries(
            {
                "name": st.just(name),
                "url": st.just(url),
                "fields": st.fixed_dictionaries({}, optional=fields),
                "number": st.integers(0, 10**12),
                "address": addresses(),
            }
        )

    return st.one_of(*(one(name) for name in FORMS))


def send_form(client, world):
    product = world["products"][0]
    # A basket and a guest at the checkout, so the address form is reached.
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    client.post("/shop/checkout/", {"username": "khach@example.vn", "options": "anonymous"})

    def send(data):
        url = data["url"].format(product=product.pk, number=data["number"])
        if data["name"] == "communes":
            return client.get(url).status_code
        response = client.post(url, data["fields"], REMOTE_ADDR=data["address"])
        if data["name"] in ("login", "register", "admin login"):
            client.logout()  # the next input starts as an anonymous visitor again
            client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
            client.post("/shop/checkout/", {"username": "khach@example.vn", "options": "anonymous"})
        return response.status_code

    return send


# --- API query strings, beyond what the document allows ------------------------------------------


def api_inputs(world):
    return st.fixed_dictionaries(
        {
            "path": st.one_of(
                st.sampled_from(
                    ["/api/v1/products", "/api/v1/certifications", "/api/v1/lots", "/api/v1/"]
                ),
                TEXT.map(lambda t: "/api/v1/trace/" + quote(t, safe="")),
                st.just(f"/api/v1/trace/{world['lot'].short_code}"),
            ),
            "query": st.lists(
                st.tuples(st.sampled_from(["page", "page_size", "product", "x", ""]), SHORT),
                max_size=4,
            ),
        }
    )


def send_api(client):
    def send(data):
        response = client.get(f"{data['path']}?{urlencode(data['query'])}")
        if response.status_code < 500 and response["Content-Type"].startswith("application/json"):
            response.json()  # an API answer is JSON whatever it was asked
        return response.status_code

    return send


# --- schemathesis against the OpenAPI document ----------------------------------------------------


@pytest.fixture
def wsgi_app():
    """The WSGI application, in this process and this test's transaction: Django closes the
    connection at the start and end of each request, which would end the transaction. (The test
    client connects that handler again after each of its requests, so each call drops it.)"""
    handler = get_wsgi_application()

    def app(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def schemathesis_run(app, examples):
    """Every operation, with data that fits the document and data that does not."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    strategy = st.one_of(
        *(
            operation.as_strategy(mode)
            for operation in operations
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        )
    )
    figures = {"operations": len(operations), "cases": 0, "failures": {}}

    @hypothesis_settings(
        max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def check(case):
        figures["cases"] += 1
        response = case.call()
        try:
            case.validate_response(response)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (case.operation.label, failure.title)
                figures["failures"].setdefault(key, (case.as_curl_command(), str(failure)[:500]))

    check()
    return figures


def run_inputs(client, world, wsgi_app, battery, *, total, api_cases):
    figures = {}
    rng = random.Random(7)
    client.raise_request_exception = True
    senders = {
        "QR and Digital Link routes": (qr_inputs(world), send_qr(client)),
        "search and catalogue": (search_inputs(), send_search(client)),
        "public forms": (form_inputs(), send_form(client, world)),
        "API query strings": (api_inputs(world), send_api(client)),
    }
    rng.shuffle(order := list(senders))
    failure = None
    try:
        for name in order:
            strategy, send = senders[name]
            run(name, round(total * TARGETS[name]), strategy, send, figures)
    except Exception as exc:  # recorded below, then raised again for the shrunk example
        failure = exc
    api = schemathesis_run(wsgi_app, api_cases)
    inputs = sum(f["inputs"] for f in figures.values())
    errors = sum(f["server_errors"] for f in figures.values()) + (failure is not None)
    ok = failure is None and not api["failures"]
    battery.record(
        7,
        "Bad input",
        f"{inputs:,} generated inputs ("
        + ", ".join(f"{name} {f['inputs']:,}" for name, f in figures.items())
        + f"): {errors} server errors; schemathesis {api['cases']:,} cases on "
        f"{api['operations']} API operations: {len(api['failures'])} answers breaking "
        "the OpenAPI document",
        ok=ok,
    )
    if failure is not None:
        raise failure
    assert not api["failures"], api["failures"]


def test_generated_bad_input(client, world, wsgi_app, battery):
    run_inputs(client, world, wsgi_app, battery, total=1_000, api_cases=200)


@pytest.mark.soak
def test_generated_bad_input_full_size(client, world, wsgi_app, battery):
    run_inputs(client, world, wsgi_app, battery, total=10_000, api_cases=2_000)
