"""Item 11: the access control matrix, generated from the URL conf.

Every URL pattern (shop, account, order status, Oscar dashboard, Wagtail admin, Django admin,
API, site) is filled with real objects owned by customer A and requested as an anonymous
visitor, customer A, customer B, an editor, a moderator, shop staff and a registry officer.
Who may succeed comes from `access_policy` (the role table and Django's model permissions); a
success outside it is an unauthorised success, and a pattern no rule covers, or whose
parameters cannot be filled, fails the test by name, so a new URL is covered the day it is added.

A success is a 2xx, or a redirect that leads anywhere but a sign-in page or Wagtail's "no
permission" bounce to its home. The personas who are refused are also sent a POST (a view
that checks only on GET would show here). The fast suite sends every GET and POST; the
allowed personas' GETs are the positive control: the objects really are found.
"""

import datetime
import re
import time
from collections import Counter, defaultdict

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test import factories as oscar_factories
from wagtail.models import Collection, Page
from wagtail.models import Site as WagtailSite

from staff.roles import EDITORS, MODERATORS, REGISTRY_OFFICERS, SHOP_STAFF
from tests.battery import access_policy as policy
from tests.factories import CertificationFactory, certified_product, placed_order
from traceability.models import Label, Lot, Scan

pytestmark = pytest.mark.django_db

ROLE_OF = {
    policy.E: EDITORS,
    policy.M: MODERATORS,
    policy.S: SHOP_STAFF,
    policy.R: REGISTRY_OFFICERS,
}
# Where refusals send people: a sign-in page, Wagtail's home (with "no permission"), the
# Django admin's index (an object that is not there, before any permission is asked).
DENIAL_LOCATIONS = re.compile(r"(^|/)(login|accounts/login)/|^/admin/$|^/django-admin/$")
MISSING = 999_999  # an id nothing has: the answer must not depend on it for refused personas


def first_pk(app_label, model_name, default=MISSING):
    model = apps.get_model(app_label, model_name)
    if not model._meta.managed:  # django_rq's stand-in model has no table
        return default
    obj = model._default_manager.order_by("pk").first()
    return obj.pk if obj else default


@pytest.fixture
def world(django_user_model, make_member):
    """Customers A and B, the four staff roles, and something of each kind for the URLs."""
    users = {
        policy.A: django_user_model.objects.create_user("khach-a", "a@example.vn", "pw"),
        policy.B: django_user_model.objects.create_user("khach-b", "b@example.vn", "pw"),
    }
    for persona, role in ROLE_OF.items():
        users[persona] = make_member(role)
    a = users[policy.A]
    today = timezone.localdate()
    product = certified_product(
        certification=CertificationFactory(decision_date=today - datetime.timedelta(days=90)),
        gtin="8936045900017",
    )
    order = placed_order((product, 1), user=a)
    guest_order = placed_order((product, 1), guest_email="a@example.vn")
    address = oscar_factories.UserAddressFactory(user=a)
    wishlist = oscar_factories.WishListFactory(owner=a, visibility="Private")
    wishlist.add(product)
    alert = oscar_factories.ProductAlertFactory(user=a, product=product)
    Email = get_model("communication", "Email")
    email = Email.objects.create(user=a, subject="Đơn hàng", body_text="…", email=a.email)
    Notification = get_model("communication", "Notification")
    notification = Notification.objects.create(recipient=a, subject="Tin nhắn")
    note = get_model("order", "OrderNote").objects.create(order=order, user=a, message="Giao sớm")
    lot = Lot.objects.create(
        product=product, code="L2026-07", produced_on=today - datetime.timedelta(days=10)
    )
    label = Label.objects.create(lot=lot)
    from django.core.files.base import ContentFile

    from traceability.models import LotEvent

    step = LotEvent(lot=lot, kind="inspection", happened_on=lot.produced_on)
    step.document.save("phieu-kiem-nghiem.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    step.save()
    Scan.objects.create(lot=lot, language="vi", source_hash="x")
    partner = product.stockrecords.get().partner
    partner.users.add(users[policy.S])
    category = oscar_factories.CategoryFactory(name="Chè")
    range_ = oscar_factories.RangeFactory(name="Đặc sản", slug="dac-san")
    offer = oscar_factories.ConditionalOfferFactory(slug="uu-dai")
    voucher_set = oscar_factories.VoucherSetFactory()
    voucher = oscar_factories.VoucherFactory(code="GIAM10")
    weight_based = oscar_factories.create_shipping_weight_based()
    band = oscar_factories.create_shipping_weight_band(2, 10000, weight_based)
    image = apps.get_model("wagtailimages", "Image").objects.create(
        title="Ảnh", file=_png_file(), width=2, height=2
    )
    document = apps.get_model("wagtaildocs", "Document").objects.create(
        title="Tài liệu", file=_text_file()
    )
    home = Page.objects.filter(depth=2).first()
    from news.models import NewsCategory, NewsIndexPage

    index = home.add_child(instance=NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    category_snippet = NewsCategory.objects.create(name="Hội chợ", slug="hoi-cho")
    redirect = apps.get_model("wagtailredirects", "Redirect").objects.create(
        old_path="/cu", redirect_link="/moi"
    )
    values = {
        # A's things
        "number": order.number,
        "order_number": order.number,
        "signed": order.verification_hash(),
        "hash": guest_order.verification_hash(),
        "line_id": order.lines.first().pk,
        "email_id": email.pk,
        "note_id": note.pk,
        "key": wishlist.key,
        "to_key": wishlist.key,
        "line_pk": wishlist.lines.first().pk,
        # the catalogue
        "product_pk": product.pk,
        "product_slug": product.slug,
        "category_slug": category.slug,
        "product_class_slug": product.get_product_class().slug,
        "parent_pk": product.pk,
        "parent": category.pk,
        "partner_pk": partner.pk,
        "user_pk": users[policy.S].pk,
        "method_pk": weight_based.pk,
        "province_code": 11,
        # Wagtail
        "page_id": index.pk,
        "parent_page_id": index.pk,
        "page_to_move_id": index.pk,
        "destination_id": home.pk,
        "page_pk": index.pk,
        "image_id": image.pk,
        "document_id": document.pk,
        "doc_id": document.pk,
        "redirect_id": redirect.pk,
        "collection_id": Collection.get_first_root_node().pk,
        "content_type_app_name": "news",
        "content_type_model_name": "newsarticlepage",
        "app_name": "news",
        "filter_spec": "original",
        "action_name": "approve",
        "revision_id": index.latest_revision_id or MISSING,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "task_state_id": MISSING,
        "task_id": MISSING,
        "workflow_state_id": MISSING,
        "workflow_pk": first_pk("wagtailcore", "workflow"),
        "uploaded_file_id": MISSING,
        "session_id": MISSING,
        "restriction_id": MISSING,
        "page_view_restriction_id": MISSING,
        "uidb64": "MQ",
        "token": "set-password",
        # queues and other odds
        "queue_index": 0,
        "scheduler_index": 0,
        "connection_index": 0,
        "job_id": "no-such-job",
        "result_id": "no-such-result",
        "scheduler_name": "none",
        "cron_job_name": "none",
        "content_type_id": ContentType.objects.get_for_model(order).pk,
        "rest": f"08936045900017/10/{lot.code}/21/{label.serial}",
        "code": lot.short_code,
        "page_path": "",
        "path": "images/no-such-photo.png",
        "name": "calendar",
        "url": "no/such/page/",
        "id": users[policy.A].pk,
        "object_id": order.pk,
        "event_pk": step.pk,
    }
    objects = {
        "order.order": order,
        "auth.user": a,
        "address.useraddress": address,
        "wishlists.wishlist": wishlist,
        "customer.productalert": alert,
        "communication.email": email,
        "communication.notification": notification,
        "order.ordernote": note,
        "traceability.lot": lot,
        "traceability.label": label,
        "catalogue.product": product,
        "catalogue.category": category,
        "offer.range": range_,
        "offer.conditionaloffer": offer,
        "voucher.voucherset": voucher_set,
        "voucher.voucher": voucher,
        "shipping.weightbased": weight_based,
        "partner.partner": partner,
        "wagtailimages.image": image,
        "wagtaildocs.document": document,
        "news.newscategory": category_snippet,
        "wagtailredirects.redirect": redirect,
    }
    return {
        "users": users,
        "values": values,
        "objects": objects,
        "band": band,
        "alert": alert,
        "notification": notification,
        "address": address,
        "index": index,
        "product": product,
    }


def _png_file():
    import io

    from django.core.files.images import ImageFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")
    return ImageFile(buffer, name="anh.png")


def _text_file():
    from django.core.files.base import ContentFile

    return ContentFile(b"OCOP", name="tai-lieu.txt")


# --- Which URL, filled how -----------------------------------------------------------------------


def object_pk_for(pattern, world):
    """The object an id-taking URL names: A's where A owns one, else one of its model."""
    route, name = pattern.route, pattern.name
    model_key = None
    if route.startswith("django-admin/"):
        parts = route.split("/")
        if len(parts) > 3 and re.fullmatch(r"\w+", parts[1]) and re.fullmatch(r"\w+", parts[2]):
            model_key = f"{parts[1]}.{parts[2]}"
    elif re.match(r"wagtailsnippet(s|choosers)_\w+_\w+:", name):
        model_key = name.split(":")[0].split("_", 1)[1].replace("_", ".", 1)
    else:
        by_prefix = {
            "customer:address": "address.useraddress",
            "checkout:user-address": "address.useraddress",
            "customer:notifications": "communication.notification",
            "customer:alerts": "customer.productalert",
            "basket:vouchers": "voucher.voucher",
            "dashboard:catalogue-product": "catalogue.product",
            "dashboard:catalogue-category": "catalogue.category",
            "dashboard:catalogue-class": "catalogue.productclass",
            "dashboard:catalogue-attribute-option-group": "catalogue.attributeoptiongroup",
            "dashboard:catalogue-option": "catalogue.option",
            "dashboard:user-alert": "customer.productalert",
            "dashboard:user": "auth.user",
            "dashboard:page": "flatpages.flatpage",
            "dashboard:partner": "partner.partner",
            "dashboard:offer": "offer.conditionaloffer",
            "dashboard:range": "offer.range",
            "dashboard:reviews": "reviews.productreview",
            "dashboard:voucher-set": "voucher.voucherset",
            "dashboard:voucher": "voucher.voucher",
            "dashboard:shipping-method-band": "shipping.weightband",
            "dashboard:shipping-method": "shipping.weightbased",
            "wagtailadmin_api:pages": "wagtailcore.page",
            "wagtailadmin_api:documents": "wagtaildocs.document",
            "wagtailadmin_api:images": "wagtailimages.image",
            "wagtailadmin_pages:revisions_compare": "wagtailcore.page",
            "wagtailadmin_collections": "wagtailcore.collection",
            "wagtailadmin_workflows:enable_task": "wagtailcore.task",
            "wagtailadmin_workflows:disable_task": "wagtailcore.task",
            "wagtailadmin_workflows:edit_task": "wagtailcore.task",
            "wagtailadmin_workflows": "wagtailcore.workflow",
            "wagtaillocales": "wagtailcore.locale",
            "wagtailsites": "wagtailcore.site",
            "wagtailusers_users": "auth.user",
            "wagtailusers_groups": "auth.group",
            "wagtaildocs_chooser": "wagtaildocs.document",
            "wagtailimages_chooser": "wagtailimages.image",
            "news_product_chooser": "catalogue.product",
            "shipping_flat_rates": "shipping.orderanditemcharges",
            "shipping_weight_based": "shipping.weightbased",
            "shipping_pickup_points": "shipping.pickuppoint",
            "simple_translation:submit_snippet": "news.newscategory",
        }
        model_key = next((v for k, v in by_prefix.items() if name.startswith(k)), None)
    if model_key is None and view_model(pattern) is not None:
        meta = view_model(pattern)._meta
        model_key = f"{meta.app_label}.{meta.model_name}"
    if model_key is None:
        return None
    if model_key == "shipping.weightband":
        return world["band"].pk
    if model_key in world["objects"]:
        return world["objects"][model_key].pk
    app_label, model_name = model_key.split(".")
    try:
        return first_pk(app_label, model_name)
    except LookupError:
        return None


SPECIAL_URLS = {
    r"documents/(\d+)/(.*)$": lambda w: (
        f"/documents/{w['objects']['wagtaildocs.document'].pk}/"
        f"{w['objects']['wagtaildocs.document'].filename}"
    ),
    r"^((?:[\w\-]+/)*)$": lambda w: w["index"].url,
    r"admin/.*/$": lambda w: "/admin/no-such-page/",
    r"django-admin/django_rq/dashboard/stats.json/(?P<token>[\w]+)?/?$": lambda w: (
        "/django-admin/django_rq/dashboard/stats.json/nosuchtoken/"
    ),
}
# URLs whose id or slug names something other than the model their view shows.
NAMED_VALUES = {
    "customer:alert-create": lambda w: {"pk": w["product"].pk},
    "basket:add": lambda w: {"pk": w["product"].pk},
    "catalogue:detail": lambda w: {"pk": w["product"].pk},
    "catalogue:category": lambda w: {"pk": w["objects"]["catalogue.category"].pk},
    "catalogue:range": lambda w: {"slug": w["objects"]["offer.range"].slug},
    "offer:detail": lambda w: {"slug": w["objects"]["offer.conditionaloffer"].slug},
    "dashboard:comms-update": lambda w: {"slug": "ORDER_PLACED"},
    "dashboard:catalogue-product-create-child": lambda w: {"parent_pk": w["product"].pk},
}


def view_model(pattern):
    """The model a class-based view is for, when it says so."""
    callback = pattern.callback
    model = getattr(callback, "view_initkwargs", {}).get("model")
    view_class = getattr(callback, "view_class", None)
    model = model or getattr(view_class, "model", None)
    return model if isinstance(model, type) and hasattr(model, "_meta") else None


def expansions(pattern):
    """Values for parameters whose pattern is really a family: each Django admin app index,
    each Wagtail setting, and the right models for Wagtail's generic model URLs."""
    if pattern.name == "admin:app_list":
        labels = re.search(r"\(\?P<app_label>([^)]*)\)", pattern.route).group(1).split("|")
        return [{"app_label": label} for label in labels]
    if pattern.name.startswith("wagtailsettings:"):
        return [
            {"app_name": key.split(".")[0], "model_name": key.split(".")[1]}
            for key in policy.SETTINGS_ALLOWED
        ]
    if pattern.name in ("wagtail_bulk_action",):
        return [{"app_label": "wagtailcore", "model_name": "page", "action": "delete"}]
    if pattern.name == "wagtailadmin_workflows:add_task":
        return [{"app_label": "wagtailcore", "model_name": "groupapprovaltask"}]
    if pattern.name in ("wagtailadmin_pages:choose_parent",):
        return [{"app_label": "news", "model_name": "newsarticlepage"}]
    if pattern.name.startswith("wagtailadmin_tag_model_autocomplete"):
        return [{"app_name": "news", "model_name": "newsarticlepage"}]
    if pattern.name == "wagtailadmin_editing_sessions:ping":
        return [{"app_label": "wagtailcore", "model_name": "page", "object_id": MISSING}]
    if pattern.name == "customer:address-change-status":
        return [{"action": "default_for_shipping"}]
    if pattern.name.startswith("simple_translation:submit_snippet"):
        return [{"app_label": "news", "model_name": "newscategory"}]
    return [{}]


class Unfillable(Exception):
    pass


def setting_pk(extra):
    model = apps.get_model(extra["app_name"], extra["model_name"])
    if hasattr(model, "for_site"):
        return model.for_site(WagtailSite.objects.get(is_default_site=True)).pk
    return model.load().pk


def urls_for(pattern, world):
    """[(url, extra facts)] for one pattern; Unfillable when a parameter has no value."""
    if pattern.route in SPECIAL_URLS:
        return [(SPECIAL_URLS[pattern.route](world), {})]
    urls = []
    for extra in expansions(pattern):
        values = dict(world["values"])
        pk = object_pk_for(pattern, world)
        for key in ("pk", "object_id", "redirect_id"):
            if pk is not None:
                values[key] = pk
        if pattern.name.startswith("wagtailsettings:"):
            values["pk"] = setting_pk(extra)
        if pattern.name in NAMED_VALUES:
            values.update(NAMED_VALUES[pattern.name](world))
        values.update(extra)
        missing = [p for p in policy.parameters(pattern.route) if p not in values]
        if missing:
            raise Unfillable(f"no value for {missing}")
        urls.append((policy.build_url(pattern.route, values), extra))
    return urls


def classify(pattern, extra):
    """(allowed personas or a Django admin permission spec, why, denied_only)."""
    if pattern.name.startswith("wagtailsettings:"):
        key = f"{extra['app_name']}.{extra['model_name']}"
        return frozenset(policy.SETTINGS_ALLOWED[key]), "Wagtail setting", False
    found = policy.rule_for(pattern)
    if found is not None:
        return found.allowed, found.why, found.denied_only
    perms = policy.django_admin_perms(pattern)
    if perms is not None:
        return perms, "Django admin: model permissions", False
    return None, None, False


# --- Asking ---------------------------------------------------------------------------------


def outcome(response):
    """'error', 'success' or 'denied' (following redirects that are not a refusal)."""
    if response.status_code >= 500:
        return "error"
    if 200 <= response.status_code < 300:
        return "success"
    if response.status_code in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        path = location.split("://", 1)[-1]
        path = path[path.find("/") :] if "://" in location else location
        return "denied" if DENIAL_LOCATIONS.search(path.split("?")[0]) else "success"
    return "denied"


def ask(client, method, url):
    """The answer, and what it amounts to after following up to three redirects."""
    response = client.generic(method, url) if method != "POST" else client.post(url, {})
    result = outcome(response)
    hops = 0
    while result == "success" and response.status_code in (301, 302, 303, 307, 308) and hops < 3:
        response = client.get(response.headers["Location"])
        result, hops = outcome(response), hops + 1
    return response, result


def persona_clients(world):
    clients = {}
    for persona in policy.PERSONAS:
        client = Client(raise_request_exception=False)
        if persona != policy.ANONYMOUS:
            client.force_login(world["users"][persona])
        clients[persona] = client
    return clients


def allowed_personas(allowed, world, extra):
    if isinstance(allowed, frozenset):
        return allowed
    users = world["users"]
    return frozenset(
        persona
        for persona in policy.PERSONAS
        if persona != policy.ANONYMOUS
        and policy.may_use_django_admin(users[persona], allowed, extra.get("app_label"))
    )


def run_matrix(world, *, full):
    """Every URL as every persona who may not succeed there (GET; with `full`, also a POST),
    and with `full` also as those who may (their GETs: does the URL reach a real object?)."""
    clients = persona_clients(world)
    findings = defaultdict(list)
    counts = Counter()
    patterns = policy.url_patterns()
    routes = [pattern.route for pattern in patterns]
    for index, pattern in enumerate(patterns):
        try:
            filled = urls_for(pattern, world)
        except Unfillable as exc:
            findings["unfillable"].append(f"{pattern.route} ({pattern.name}): {exc}")
            continue
        for url, extra in filled:
            allowed, why, denied_only = classify(pattern, extra)
            if allowed is None:
                findings["unclassified"].append(f"{pattern.route} ({pattern.name or 'no name'})")
                continue
            try:
                match = resolve(url.split("?")[0])
            except Resolver404:
                match = None
            if match is not None and match.route in routes[:index]:
                counts["shadowed"] += 1  # an earlier pattern answers this URL: tried there
                continue
            if match is None or match.route != pattern.route:
                findings["unfillable"].append(f"{url} does not resolve to {pattern.route}")
                continue
            counts["urls"] += 1
            who = allowed_personas(allowed, world, extra)
            for persona in policy.PERSONAS:
                permitted = persona in who
                if permitted and (denied_only or not full):
                    continue
                methods = ["GET"] if permitted or not full else ["GET", "POST"]
                for method in methods:
                    response, result = ask(clients[persona], method, url)
                    counts["requests"] += 1
                    counts[f"{'allowed' if permitted else 'refused'} {result}"] += 1
                    if result == "error":
                        findings["server errors"].append(
                            f"{method} {url} as {persona}: {response.status_code}"
                        )
                    elif result == "success" and not permitted:
                        findings["unauthorised"].append(
                            f"{method} {url} as {persona}: {response.status_code} "
                            f"{response.headers.get('Location', '')} [{why}]"
                        )
                if "logout" in url:  # signing out is allowed to everyone: sign back in
                    if persona != policy.ANONYMOUS:
                        clients[persona].force_login(world["users"][persona])
    counts["patterns"] = len(patterns)
    return findings, counts


POSITIVE_CONTROLS = [
    # (persona, URL from the world): answers the matrix relies on to show the objects are real.
    (policy.A, lambda w: f"/shop/accounts/orders/{w['values']['number']}/"),
    (policy.A, lambda w: f"/shop/accounts/addresses/{w['address'].pk}/"),
    (policy.A, lambda w: f"/shop/wishlists/{w['values']['key']}/"),
    (policy.S, lambda w: f"/shop/dashboard/orders/{w['values']['number']}/"),
    (policy.S, lambda w: f"/django-admin/order/order/{w['objects']['order.order'].pk}/change/"),
    (
        policy.R,
        lambda w: f"/django-admin/traceability/lot/{w['objects']['traceability.lot'].pk}/change/",
    ),
    (policy.E, lambda w: f"/admin/pages/{w['index'].pk}/edit/"),
    (
        policy.M,
        lambda w: f"/admin/snippets/news/newscategory/edit/{w['objects']['news.newscategory'].pk}/",
    ),
    (
        policy.ANONYMOUS,
        lambda w: f"/shop/payments/{w['values']['number']}/{w['values']['signed']}/",
    ),
]


def check_matrix(world, battery, *, full):
    started = time.perf_counter()
    findings, counts = run_matrix(world, full=full)
    seconds = time.perf_counter() - started
    clients = persona_clients(world)
    controls = [
        (persona, url(world), outcome(clients[persona].get(url(world))))
        for persona, url in POSITIVE_CONTROLS
    ]
    failed_controls = [c for c in controls if c[2] != "success"]
    # A forged signature or another order's number opens nobody's order status page.
    forged = [
        clients[persona]
        .get(f"/shop/payments/{world['values']['number']}/{world['values']['signed'][:-2]}xx/")
        .status_code
        for persona in policy.PERSONAS
    ]
    unauthorised = len(findings["unauthorised"])
    ok = not any(findings.values()) and not failed_controls and set(forged) == {404}
    battery.record(
        11,
        "Access control matrix",
        f"{counts['patterns']} URL patterns → {counts['urls']} URLs × {len(policy.PERSONAS)} "
        f"personas, {counts['requests']:,} requests in {seconds:.0f} s: {unauthorised} "
        f"unauthorised successes, {len(findings['server errors'])} server errors, "
        f"{len(findings['unclassified'])} unclassified, {len(findings['unfillable'])} unfilled"
        + (
            f"; allowed GETs that succeeded {counts['allowed success']:,}"
            if full
            else f"; {len(controls)} positive controls passed"
        )
        + ("" if full else " (refused personas' GETs; `make soak` adds POSTs and allowed GETs)"),
        ok=ok,
    )
    report = "\n".join(
        f"{kind} ({len(lines)}):\n  " + "\n  ".join(lines[:60])
        for kind, lines in findings.items()
        if lines
    )
    assert ok, f"{report}\npositive controls that failed: {failed_controls}\nforged: {forged}"


def test_access_control_matrix(world, battery):
    check_matrix(world, battery, full=False)


@pytest.mark.soak
def test_access_control_matrix_in_full(world, battery):
    check_matrix(world, battery, full=True)


# --- What the matrix found, one test each ---------------------------------------------------------


def test_job_queues_are_for_superusers_only(world, client):
    """django-rq let every staff user read job arguments and empty queues."""
    client.force_login(world["users"][policy.S])
    for url in (
        "/django-admin/django_rq/dashboard/",
        "/django-admin/django_rq/dashboard/queues/0/empty/",
        "/django-admin/django_rq/dashboard/stats.json/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url


def test_merging_tags_needs_the_tag_permission_and_a_selection(world, client, django_user_model):
    """taggit's merge view rewrote tags for any staff user; without a selection it was a 500."""
    client.force_login(world["users"][policy.R])
    assert (
        client.post("/django-admin/taggit/tag/merge-tags/", {"new_tag_name": "x"}).status_code
        == 403
    )
    client.force_login(django_user_model.objects.create_superuser("chu", password="pw"))
    response = client.post("/django-admin/taggit/tag/merge-tags/", {"new_tag_name": "x"})
    assert response.status_code == 302 and response["Location"].endswith("/taggit/tag/")


def test_the_product_chooser_creates_nothing(world, client):
    """Wagtail routed the chooser's create/ without a creation form: a POST was a 500."""
    client.force_login(world["users"][policy.S])
    assert client.post("/admin/news_product_chooser/create/", {}).status_code in (302, 403)


def test_an_order_line_answers_a_get_and_an_unknown_line_without_errors(world, client):
    """Oscar's order-line view had no template for a GET and raised on an unknown line."""
    number = world["values"]["number"]
    client.force_login(world["users"][policy.A])
    assert (
        client.get(f"/shop/accounts/orders/{number}/{world['values']['line_id']}/").status_code
        == 405
    )
    assert client.post(f"/shop/accounts/orders/{number}/{MISSING}/").status_code == 404
    client.logout()
    response = client.post(f"/shop/accounts/orders/{number}/{world['values']['line_id']}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_moving_a_page_is_not_shown_to_those_who_may_not_move_it(world, client):
    """Wagtail showed its move confirmation (both pages' titles) to any admin user."""
    home = Page.objects.filter(depth=2).first()
    url = f"/admin/pages/{world['index'].pk}/move/{home.pk}/confirm/"
    client.force_login(world["users"][policy.S])
    assert outcome(client.get(url)) == "denied"
    client.force_login(world["users"][policy.M])
    assert client.get(url).status_code == 200
