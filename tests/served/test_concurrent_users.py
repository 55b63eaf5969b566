"""Ten people at once on the demo's SQLite database, over real HTTP.

The demo (`make demo`) runs on SQLite in one threaded server. With SQLite's defaults two or three
people at once were enough for "database is locked" and server errors on sign-ins, article saves
and new fair pages. Here the served demo (tests/served/conftest.py: `serve_demo` with the demo's
settings, in its own process) answers ten people acting at the same moment,
several rounds: staff signing in to the Wagtail admin and to the shop dashboard, an editor
publishing an article and another saving a draft, a moderator creating a trade-fair page, a
customer signing in to the shop, guests filling baskets and two guests checking out. Every
answer must be the expected one (never a 5xx), the server may log no traceback, server error or
locked database (checked after every test of this package), and every write must be found in the
database afterwards.
"""

import html
import json
import re
import time

import pytest
import requests
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from wagtail import blocks

from tests.checkout import HA_NOI
from tests.conftest import DEMO_PASSWORD
from tests.served.conftest import FIGURES
from tests.threads import HANGING, run_at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's single writer is what is tested; PostgreSQL has row locks (test_concurrency)",
)

PEOPLE = 10
ROUNDS = 3
PASSWORD = DEMO_PASSWORD

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")


class Person:
    """One browser's worth of cookies; counts its requests and the server errors it met."""

    def __init__(self, base_url, tally):
        self.base_url = base_url
        self.session = requests.Session()
        self.tally = tally

    def request(self, method, path, expect, **kwargs):
        response = self.session.request(
            method, self.base_url + path, timeout=60, allow_redirects=False, **kwargs
        )
        self.tally.append((method, path, response.status_code))
        assert "database is locked" not in response.text, (method, path)
        assert response.status_code == expect, (method, path, response.status_code)
        return response

    def get(self, path, expect=200):
        return self.request("GET", path, expect)

    def post(self, path, data, expect=302, referer=None):
        # Over plain HTTP Django checks the Referer only for https; send it as a browser would.
        headers = {"Referer": self.base_url + (referer or path)}
        return self.request("POST", path, expect, data=data, headers=headers)

    def csrf_token(self, page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def sign_in(self, path, fields, then, expect=200):
        """Post a sign-in form, then open `then`, which must now answer (not redirect)."""
        form = self.get(path)
        self.post(path, {**fields, "csrfmiddlewaretoken": self.csrf_token(form)})
        return self.get(then, expect)

    def staff_sign_in(self, username):
        return self.sign_in(
            "/admin/login/", {"username": username, "password": PASSWORD}, "/admin/"
        )


def form_fields(page, form_id):
    """What a browser submits for the form: named inputs, checked boxes, textareas, selects
    (templates of empty formset rows left out)."""
    form = BeautifulSoup(page.text, "html.parser").find("form", id=form_id)
    data = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or "__prefix__" in name:
            continue
        kind = element.get("type", "")
        if kind in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data.setdefault(name, []).append(element.get("value", "on"))
        elif element.name == "textarea":
            data[name] = element.text.removeprefix("\n")
        elif element.name == "select":
            chosen = element.find("option", selected=True)
            data[name] = chosen.get("value", "") if chosen else ""
        else:
            data[name] = element.get("value", "")
    return data


def stream_form_data(page, name, block):
    """The fields the admin's JavaScript posts for StreamField `name`, from the state the page
    hands to it (`data-w-block-arguments-value`): the article's body goes back unchanged."""
    element = BeautifulSoup(page.text, "html.parser").find(id=name)
    state = json.loads(html.unescape(element["data-w-block-arguments-value"]))[0]
    data = {}
    _block_data(block, name, state, data)
    return data


def _block_data(block, prefix, state, data):
    if isinstance(block, blocks.BaseStreamBlock):
        data[f"{prefix}-count"] = str(len(state))
        for i, child in enumerate(state):
            data.update({f"{prefix}-{i}-type": child["type"], f"{prefix}-{i}-deleted": ""})
            data.update({f"{prefix}-{i}-order": str(i), f"{prefix}-{i}-id": child["id"] or ""})
            child_block = block.child_blocks[child["type"]]
            _block_data(child_block, f"{prefix}-{i}-value", child["value"], data)
    elif isinstance(block, blocks.ListBlock):
        data[f"{prefix}-count"] = str(len(state))
        for i, child in enumerate(state):
            data.update({f"{prefix}-{i}-deleted": "", f"{prefix}-{i}-order": str(i)})
            data[f"{prefix}-{i}-id"] = child.get("id") or ""
            _block_data(block.child_block, f"{prefix}-{i}-value", child["value"], data)
    elif isinstance(block, blocks.BaseStructBlock):
        for child_name, child_block in block.child_blocks.items():
            _block_data(child_block, f"{prefix}-{child_name}", state.get(child_name), data)
    elif isinstance(state, dict):  # a chooser: the chosen object's id
        data[prefix] = str(state.get("id", ""))
    elif isinstance(state, bool):
        if state:
            data[prefix] = "on"
    else:
        data[prefix] = "" if state is None else str(state)


# --- What each of the ten does in a round --------------------------------------------------


def staff_signs_in_to_the_admin(person, world, round_no):
    page = person.staff_sign_in("admin")
    assert 'id="page-edit-form"' not in page.text and "/admin/logout/" in page.text


def staff_signs_in_to_the_shop_dashboard(person, world, round_no):
    fields = {"username": "banhang", "password": PASSWORD, "next": "/shop/dashboard/"}
    person.sign_in("/shop/dashboard/login/", fields, "/shop/dashboard/")


def editor_publishes_an_article(person, world, round_no):
    person.staff_sign_in("admin")
    article = world["published"]
    edit = f"/admin/pages/{article.pk}/edit/"
    page = person.get(edit)
    data = form_fields(page, "page-edit-form")
    data.update(stream_form_data(page, "body", world["body_block"]))
    data.update(title=world["published_title"](round_no), **{"action-publish": "action-publish"})
    person.post(edit, data)


def editor_saves_a_draft(person, world, round_no):
    person.staff_sign_in("bientap")
    article = world["drafted"]
    edit = f"/admin/pages/{article.pk}/edit/"
    page = person.get(edit)
    data = form_fields(page, "page-edit-form")
    data.update(stream_form_data(page, "body", world["body_block"]))
    data["title"] = world["drafted_title"](round_no)
    person.post(edit, data)


def moderator_creates_a_trade_fair(person, world, round_no):
    person.staff_sign_in("kiemduyet")
    add = f"/admin/pages/add/events/tradefairpage/{world['fair_index'].pk}/"
    data = form_fields(person.get(add), "page-edit-form")
    data.update(
        title=f"Hội chợ OCOP thử tải, vòng {round_no}",
        slug=world["fair_slug"](round_no),
        start="2027-03-20 08:00",
        end="2027-03-22 21:00",
        venue_name="Sân vận động huyện",
        address="Thị trấn Tủa Chùa, Điện Biên",
        latitude="21.8600",
        longitude="103.3500",
        organiser="Văn phòng điều phối OCOP",
        **{"action-publish": "action-publish"},
    )
    person.post(add, data)


def customer_signs_in_to_the_shop(person, world, round_no):
    email = world["customer_email"](round_no)
    fields = {"login-username": email, "login-password": PASSWORD, "login_submit": "1"}
    person.sign_in("/shop/accounts/login/", fields, "/shop/accounts/profile/")


def guest_fills_a_basket(person, world, round_no):
    token = None
    for product in world["products"][:2]:
        token = person.csrf_token(person.get(product.get_absolute_url()))
        data = {"quantity": 2, "csrfmiddlewaretoken": token}
        person.post(f"/shop/basket/add/{product.pk}/", data, referer=product.get_absolute_url())
    basket = person.get("/shop/basket/")
    assert all(product.title in basket.text for product in world["products"][:2])
    world["baskets"].append(person.session.cookies[settings.OSCAR_BASKET_COOKIE_OPEN])


def guest_checks_out(method):
    def checkout(person, world, round_no):
        product = world["products"][2]
        token = person.csrf_token(person.get(product.get_absolute_url()))
        data = {"quantity": 1, "csrfmiddlewaretoken": token}
        person.post(f"/shop/basket/add/{product.pk}/", data, referer=product.get_absolute_url())
        email = f"khach-{method}-{round_no}@example.vn"
        steps = [
            ("/shop/checkout/", {"username": email, "options": "anonymous"}),
            ("/shop/checkout/shipping-address/", HA_NOI),
            ("/shop/checkout/shipping-method/", {"method_code": "mien-bac"}),
            ("/shop/checkout/payment-method/", {"method": method}),
            ("/shop/checkout/preview/", {"action": "place_order"}),
        ]
        for path, fields in steps:
            token = person.csrf_token(person.get(path))
            person.post(path, {**fields, "csrfmiddlewaretoken": token})
        world["guest_emails"].append(email)

    return checkout


PARTS = [
    staff_signs_in_to_the_admin,
    staff_signs_in_to_the_shop_dashboard,
    editor_publishes_an_article,
    editor_saves_a_draft,
    moderator_creates_a_trade_fair,
    customer_signs_in_to_the_shop,
    guest_fills_a_basket,
    guest_fills_a_basket,
    guest_checks_out("cod"),
    guest_checks_out("vietqr"),
]
assert len(PARTS) == PEOPLE


def the_demo_world():
    """The demo's pages and products the ten work on, and the customers who sign in."""
    from events.models import EventIndexPage, TradeFairPage
    from news.models import NewsArticlePage

    articles = list(NewsArticlePage.objects.live().filter(locale__language_code="vi")[:2])
    strategy = Selector().strategy()
    products = [
        product
        for product in Product.objects.filter(structure="standalone").order_by("pk")
        if strategy.fetch_for_product(product).availability.is_available_to_buy
    ][:3]
    assert len(articles) == 2 and len(products) == 3
    for round_no in range(ROUNDS):
        get_user_model().objects.create_user(
            f"khach{round_no}", f"khach{round_no}@example.vn", PASSWORD
        )
    return {
        "published": articles[0],
        "published_title": lambda r: f"{articles[0].title} (cập nhật {r})",
        "drafted": articles[1],
        "drafted_title": lambda r: f"{articles[1].title} (bản nháp {r})",
        "body_block": NewsArticlePage.body.field.stream_block,
        "fair_index": EventIndexPage.objects.filter(locale__language_code="vi").first(),
        "fair_slug": lambda r: f"hoi-cho-thu-tai-{r}",
        "fairs": TradeFairPage.objects,
        "customer_email": lambda r: f"khach{r}@example.vn",
        "products": products,
        "baskets": [],
        "guest_emails": [],
    }


def test_ten_people_at_once_on_the_sqlite_demo(served):
    from news.models import NewsArticlePage

    world = the_demo_world()
    started_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"

    base_url = served.url
    tally, failures = [], []
    began = time.monotonic()
    try:
        for round_no in range(ROUNDS):

            def act(index, round_no=round_no):
                PARTS[index](Person(base_url, tally), world, round_no)

            results = run_at_once(act, PEOPLE, timeout=120)
            failures += [
                f"round {round_no}, {PARTS[i].__name__}: {result!r}"
                for i, result in enumerate(results)
                if result is HANGING or isinstance(result, Exception)
            ]
    finally:
        seconds = time.monotonic() - began

    server_errors = [t for t in tally if t[2] >= 500]
    errors = len(failures) + len(server_errors)
    FIGURES.concurrent = (
        f"SQLite, {PEOPLE} people at once x {ROUNDS} rounds: {len(tally)} requests, "
        f"{errors} errors, {seconds:.1f} s"
    )
    assert failures == [] and server_errors == []

    # Every write landed.
    User = get_user_model()
    for username in ("admin", "banhang", "bientap", "kiemduyet"):
        assert User.objects.get(username=username).last_login >= started_at, username
    for round_no in range(ROUNDS):
        customer = User.objects.get(email=world["customer_email"](round_no))
        assert customer.last_login >= started_at
        fair = world["fairs"].get(slug=world["fair_slug"](round_no))
        assert fair.live and fair.get_parent().pk == world["fair_index"].pk
    published = NewsArticlePage.objects.get(pk=world["published"].pk)
    assert published.live and published.title == world["published_title"](ROUNDS - 1)
    assert published.revisions.filter(created_at__gte=started_at).count() == ROUNDS
    drafted = NewsArticlePage.objects.get(pk=world["drafted"].pk)
    assert drafted.title == world["drafted"].title  # a draft leaves the live page alone
    assert drafted.revisions.filter(created_at__gte=started_at).count() == ROUNDS
    assert drafted.get_latest_revision_as_object().title == world["drafted_title"](ROUNDS - 1)
    assert len(world["baskets"]) == 2 * ROUNDS
    for cookie in world["baskets"]:
        basket = Basket.objects.get(pk=cookie.split(":")[0])
        assert basket.num_items == 4 and basket.status == "Open"
    orders = Order.objects.filter(guest_email__in=world["guest_emails"])
    assert len(world["guest_emails"]) == 2 * ROUNDS and orders.count() == 2 * ROUNDS
