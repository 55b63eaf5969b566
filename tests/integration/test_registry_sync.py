"""Pulling the registry feed from a real HTTP server: happy path, misbehaviour, and effects."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from config import pagecache
from tests.factories import ProducerFactory, certified_product
from tests.registry_server import FakeRegistry, feed_record
from traceability.certification import State
from traceability.models import Certification, CertificationChange, SyncRun
from traceability.tasks import sync_from_feed

pytestmark = pytest.mark.django_db

BUY_FORM = "/shop/basket/add/"  # the add-to-basket form posts here

Product = get_model("catalogue", "Product")


@pytest.fixture
def registry(settings):
    records = [feed_record(f"R-{n}") for n in range(1, 6)]
    with FakeRegistry(records, page_size=2) as server:
        settings.REGISTRY_URL = server.url
        settings.REGISTRY_TOKEN = "s3cret"
        settings.REGISTRY_TIMEOUT = 0.5
        yield server


def english_url(product):
    with translation.override("en"):
        return product.get_absolute_url()


def sync(**kwargs):
    return sync_from_feed(started_by="test", **kwargs)


def test_full_sync_mirrors_every_record_then_changes_nothing(registry):
    first = sync()
    assert first.status == SyncRun.Status.SUCCEEDED
    assert (first.pages, first.created, first.skipped) == (3, 5, 0)
    certificate = Certification.objects.get(registry_id="R-1")
    assert certificate.stars == 4 and certificate.producer.tax_code == "5600123456"
    assert certificate.raw["decision_no"] == "R-1/QĐ-UBND"
    assert certificate.last_confirmed_at is not None
    assert registry.requests[0]["headers"]["Authorization"] == "Bearer s3cret"
    history = CertificationChange.objects.count()

    second = sync()
    assert second.status == SyncRun.Status.SUCCEEDED
    assert (second.created, second.updated) == (0, 0)
    assert CertificationChange.objects.count() == history
    # incremental: the second pull asked only for what changed since the newest record seen
    assert registry.requests[-1]["query"]["updated_since"].startswith("2026-01-10T02:00:00")


def test_incremental_sync_records_re_rating_in_history(registry):
    sync()
    registry.record("R-2").update(stars=5, score=92, updated_at="2026-02-01T08:00:00+07:00")
    run = sync()
    assert (run.processed, run.updated, run.unchanged) == (1, 1, 0)
    changes = {c.field: (c.old_value, c.new_value) for c in run.changes.all()}
    assert changes["stars"] == (4, 5) and changes["score"] == (78, 92)
    assert Certification.objects.get(registry_id="R-2").stars == 5


def test_revocation_makes_the_product_unbuyable_and_says_why(registry, client):
    sync()
    product = certified_product(certification=Certification.objects.get(registry_id="R-3"))
    client.post(f"/en/shop/basket/add/{product.pk}/", {"quantity": 1})
    assert client.get("/en/shop/basket/").context["basket"].num_items == 1

    registry.record("R-3").update(
        status="revoked",
        status_reason="Mẫu kiểm nghiệm không đạt chỉ tiêu an toàn thực phẩm",
        updated_at="2026-03-01T08:00:00+07:00",
    )
    run = sync()
    assert run.updated == 1
    product = Product.objects.get(pk=product.pk)
    assert product.standing.state == State.REVOKED and product.standing.stars is None

    page = client.get(english_url(product)).content.decode()
    assert "Certificate revoked" in page
    assert "Mẫu kiểm nghiệm không đạt chỉ tiêu an toàn thực phẩm" in page
    assert "OCOP 4-star product" not in page and 'aria-label="OCOP 4 stars"' not in page
    assert BUY_FORM not in page

    basket_page = client.get("/en/shop/basket/").content.decode()
    assert "is no longer available" in basket_page
    checkout = client.get("/en/shop/checkout/")
    assert checkout.status_code == 302 and checkout["Location"].endswith("/en/shop/basket/")

    api = client.get("/api/v1/products").json()["results"][0]
    assert api["purchasable"] is False and api["stars"] is None
    assert api["certification"]["status"] == "revoked"


@pytest.mark.parametrize(
    "fault,message",
    [
        (("status", 500), "answered HTTP 500"),
        (("truncate",), "invalid or truncated JSON"),
        (("delay", 1.5), "did not answer within 0.5 s"),
        (("repeat",), "same page twice"),
        (("body", b'{"results": "nope"}'), "is not {'next', 'results'"),
    ],
)
def test_a_failing_page_stops_the_sync_and_keeps_the_cursor(registry, fault, message):
    registry.faults[2] = fault
    run = sync()
    assert run.status == SyncRun.Status.FAILED
    assert any(message in problem for problem in run.problems), run.problems
    # pages before the failure were complete and verified; nothing of the failing one applied
    applied = set(Certification.objects.values_list("registry_id", flat=True))
    if fault[0] == "repeat":
        assert applied == {"R-1", "R-2", "R-3", "R-4"}  # page 2 was fine, then came again
    else:
        assert applied == {"R-1", "R-2"}
    with pytest.raises(CommandError):
        call_command("sync_registry", stdout=io.StringIO(), stderr=io.StringIO())
    registry.faults.clear()
    retry = sync()
    assert "updated_since" not in registry.requests[-3]["query"]  # no complete run yet
    assert retry.status == SyncRun.Status.SUCCEEDED
    assert Certification.objects.count() == 5


def test_registry_down_or_refusing_the_token_changes_nothing(registry, settings):
    settings.REGISTRY_TOKEN = "wrong"
    refused = sync()
    assert refused.status == SyncRun.Status.FAILED
    assert "refused our token (HTTP 401)" in refused.problems[0]
    settings.REGISTRY_URL = "http://127.0.0.1:9"  # nothing listens there
    down = sync()
    assert down.status == SyncRun.Status.FAILED
    assert "cannot reach the registry" in down.problems[0]
    assert Certification.objects.count() == 0
    err = io.StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command("sync_registry", stdout=io.StringIO(), stderr=err)
    assert "cannot reach the registry" in err.getvalue()


@pytest.mark.parametrize(
    "change,named",
    [
        ({"status": "approved"}, "status 'approved' is unknown"),
        ({"stars": 6}, "stars 6 is outside 3–5"),
        ({"stars": 2}, "stars 2 is outside 3–5"),
        ({"decision_date": "31/12/2025"}, "decision_date is not a date"),
        ({"updated_at": "yesterday"}, "updated_at is not a date-time"),
        ({"gtins": ["8930000000001"]}, "gtins: Wrong GTIN check digit"),
    ],
)
def test_a_bad_record_is_skipped_and_named_without_touching_the_mirror(registry, change, named):
    sync()
    product = certified_product(certification=Certification.objects.get(registry_id="R-4"))
    registry.record("R-4").update(status="suspended", updated_at="2026-02-01T08:00:00+07:00")
    sync()
    registry.record("R-4").update({"updated_at": "2026-03-01T08:00:00+07:00", **change})
    run = sync()
    assert run.status == SyncRun.Status.PARTIAL and run.skipped == 1
    assert any(p.startswith("record R-4: ") and named in p for p in run.problems), run.problems
    certificate = Certification.objects.get(registry_id="R-4")
    assert certificate.status == "suspended"
    assert not Product.objects.get(pk=product.pk).standing.sellable


def test_an_older_record_than_the_mirror_is_ignored(registry):
    sync()
    registry.record("R-5").update(stars=3, updated_at="2025-12-01T08:00:00+07:00")
    run = sync(full=True)
    assert run.skipped == 1 and "older than the mirror" in run.problems[0]
    assert Certification.objects.get(registry_id="R-5").stars == 4


def test_products_are_linked_by_gtin_only_when_unambiguous(registry):
    # the feed's producer (tax code 5600123456): only its own products are linked
    own = ProducerFactory(name="HTX Chè Shan tuyết Tủa Chùa", tax_code="5600123456")
    lone = create_product(
        title="Trà", price=90000, num_in_stock=3, gtin="8936045900017", producer=own
    )
    assert lone.gtin == "08936045900017"  # stored as GTIN-14
    registry.record("R-1").update(gtins=["8936045900017"])
    sync()
    assert Product.objects.get(pk=lone.pk).certification.registry_id == "R-1"

    other = create_product(
        title="Mật ong", price=90000, num_in_stock=3, gtin="8936045900024", producer=own
    )
    registry.record("R-2").update(gtins=["8936045900024"], updated_at="2026-05-01T00:00:00+07:00")
    registry.record("R-3").update(gtins=["8936045900024"], updated_at="2026-05-01T00:00:00+07:00")
    sync()
    assert Product.objects.get(pk=other.pk).certification is None  # two matches: staff decide


def test_pages_admit_when_the_registry_has_not_confirmed_lately(registry, client, settings):
    sync()
    product = certified_product(certification=Certification.objects.get(registry_id="R-1"))
    page = client.get(english_url(product)).content.decode()
    assert "Last confirmed by the registry" not in page
    Certification.objects.update(last_confirmed_at=timezone.now() - datetime.timedelta(days=8))
    page = client.get(english_url(product)).content.decode()
    assert "Last confirmed by the registry on" in page
    settings.REGISTRY_STALE_AFTER_DAYS = 10
    pagecache.invalidate()  # a setting changed by a restart: cached pages are renewed
    page = client.get(english_url(product)).content.decode()
    assert "Last confirmed by the registry" not in page


def test_expiry_follows_the_calendar_without_a_sync(registry, client):
    registry.record("R-1").update(decision_date="2024-01-15", valid_until="2027-01-15")
    sync()
    product = certified_product(certification=Certification.objects.get(registry_id="R-1"))
    url = english_url(product)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)):
        page = client.get(url).content.decode()
        assert "Certified" in page and BUY_FORM in page
    with time_machine.travel(datetime.datetime(2027, 1, 1, 9, tzinfo=datetime.UTC)):
        page = client.get(url).content.decode()
        assert "expiring soon" in page and "valid until 15/01/2027" in page
        assert BUY_FORM in page
    with time_machine.travel(datetime.datetime(2027, 1, 16, 1, tzinfo=datetime.UTC)):
        page = client.get(url).content.decode()
        assert "Certificate expired" in page and "expired on 15/01/2027" in page
        assert BUY_FORM not in page and 'aria-label="OCOP 4 stars"' not in page


def test_staff_may_hide_products_that_cannot_be_sold(registry, client):
    from shop.catalogue.models import CatalogueDisplay

    registry.record("R-2").update(status="suspended", status_reason="Đang thanh tra")
    sync()
    sold = certified_product(certification=Certification.objects.get(registry_id="R-1"))
    held = certified_product(certification=Certification.objects.get(registry_id="R-2"))
    listing = client.get("/en/shop/catalogue/").content.decode()
    assert sold.get_title() in listing and held.get_title() in listing
    assert "Certificate suspended" in listing
    CatalogueDisplay.objects.update_or_create(pk=1, defaults={"hide_uncertified": True})
    listing = client.get("/en/shop/catalogue/").content.decode()
    assert sold.get_title() in listing and held.get_title() not in listing


def test_certifications_api_lists_the_mirror(registry, client):
    sync()
    data = client.get("/api/v1/certifications?page_size=2").json()
    assert data["count"] == 5 and len(data["results"]) == 2 and data["next"]
    first = data["results"][0]
    assert first["registry_id"] == "R-1" and first["status"] == "active"
    assert first["producer"]["commune"] == {"code": 3217, "name": "Xã Tủa Chùa"}
    assert client.get("/api/v1/certifications?page=9").status_code == 404


def test_staff_start_a_sync_from_the_admin(registry, staff_client):
    response = staff_client.post("/django-admin/traceability/certification/sync/")
    run = SyncRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/django-admin/traceability/syncrun/{run.pk}/change/"
    assert run.status == SyncRun.Status.SUCCEEDED and run.started_by == "staff"
    page = staff_client.get(response["Location"]).content.decode()
    changes_url = f"/django-admin/traceability/certificationchange/?run__id__exact={run.pk}"
    assert changes_url.replace("&", "&amp;") in page or changes_url in page
    changes = staff_client.get(changes_url).content.decode()
    for registry_id in ("R-1", "R-5"):
        assert f"Chè Shan tuyết {registry_id}" in changes
    listing = staff_client.get("/django-admin/traceability/certification/?expires_within=90")
    assert listing.status_code == 200
    assert (
        staff_client.get("/django-admin/traceability/certification/?linked=no").status_code == 200
    )
    changed = staff_client.get("/django-admin/catalogue/product/?certificate_changed=last-sync")
    assert changed.status_code == 200


def test_one_sync_at_a_time(registry):
    SyncRun.objects.create(source="feed", location=registry.url)  # still running
    run = sync()
    assert run.status == SyncRun.Status.FAILED
    assert "another registry sync is still running" in run.problems[0]
    SyncRun.objects.filter(status="running").update(
        started_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert sync().status == SyncRun.Status.SUCCEEDED  # a run silent for hours is dead


def test_a_producer_renamed_by_the_registry_is_found_by_its_new_name(registry):
    from sitesearch.results import search_site

    def found(query):
        results = search_site(query)
        return [] if results is None else [hit.title for hit in results[: results.count()]]

    sync()
    certified_product(
        title="Trà hoa vàng", certification=Certification.objects.get(registry_id="R-4")
    )
    assert found("htx che shan tuyet tua chua") == ["Trà hoa vàng"]

    renamed = {**feed_record("R-4")["producer"], "name": "Hợp tác xã Sín Chải Xanh"}
    registry.record("R-4").update(producer=renamed, updated_at="2026-03-01T08:00:00+07:00")
    assert sync().status == SyncRun.Status.SUCCEEDED
    assert found("sin chai xanh") == ["Trà hoa vàng"]
