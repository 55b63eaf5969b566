"""A certificate belongs to its product: only a product (or lot) of the certificate's own
producer, and of one of its GTINs where the registry lists them, may carry it. Every way a link
can be made is tried with every case: the model, the Django admin (superuser and the roles that
may edit products or lots), the Oscar dashboard, the API, the spreadsheet import, the registry
sync; `check_certifications` lists old links that break the rule, and the demo has none."""

import datetime
import io
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.forms import BaseForm, BaseFormSet
from django.utils import translation
from django.utils.html import escape
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from staff.roles import REGISTRY_OFFICERS, SHOP_STAFF
from tests.factories import CertificationFactory, ProducerFactory
from tests.registry_server import FakeRegistry, feed_record
from traceability.certification import certificate_mismatch
from traceability.models import Certification, Lot, SyncRun
from traceability.tasks import sync_from_feed

Product = get_model("catalogue", "Product")

LISTED = "8936045900017"  # as staff type it (GTIN-13); stored and listed as GTIN-14
UNLISTED = "8936045900024"

# Who made the product, against the certificate's producer.
PRODUCERS = ("own producer", "another producer", "no producer")
# The product's GTIN, against the GTINs the certificate lists.
GTINS = ("GTIN listed", "GTIN not listed", "product has no GTIN", "certificate lists none")
CASES = list(itertools.product(PRODUCERS, GTINS))


def refused(producer_case, gtin_case):
    return producer_case != "own producer" or gtin_case == "GTIN not listed"


def ids(case):
    return " / ".join(case)


def make_case(producer_case, gtin_case):
    """(product without a certificate, certificate) for one case."""
    owner, stranger = ProducerFactory(), ProducerFactory()
    certificate = CertificationFactory(
        producer=owner,
        gtins=[] if gtin_case == "certificate lists none" else ["0" + LISTED],
        decision_date=datetime.date.today() - datetime.timedelta(days=100),
    )
    product = create_product(
        title="Chè Shan tuyết Tủa Chùa",
        price=120000,
        num_in_stock=5,
        producer={"own producer": owner, "another producer": stranger}.get(producer_case),
        gtin={"GTIN listed": LISTED, "product has no GTIN": ""}.get(gtin_case, UNLISTED),
    )
    return Product.objects.get(pk=product.pk), certificate


def carried(product):
    return Product.objects.get(pk=product.pk).certification_id


# --- The rule and the model ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_the_model_refuses_a_certificate_that_is_not_the_products(case):
    product, certificate = make_case(*case)
    product.certification = certificate
    if refused(*case):
        reason = certificate_mismatch(product.producer, product.gtin, certificate)
        assert reason
        with pytest.raises(ValidationError) as cleaned:
            product.clean()
        assert cleaned.value.messages == [str(reason)]
        with pytest.raises(ValidationError):
            product.save()  # the last line, for whatever skips clean()
        assert carried(product) is None
    else:
        product.clean()
        product.save()
        assert carried(product) == certificate.pk


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_lot_carries_only_its_products_certificate(case):
    product, certificate = make_case(*case)
    lot = Lot(
        product=product,
        code="L1",
        produced_on=certificate.decision_date + datetime.timedelta(days=10),
        certification=certificate,
    )
    if refused(*case):
        with pytest.raises(ValidationError) as cleaned:
            lot.clean()
        assert cleaned.value.error_list[0].code == "certificate_mismatch"
        with pytest.raises(ValidationError):
            lot.save()
        assert not Lot.objects.exists()
    else:
        lot.clean()
        lot.save()
        assert Lot.objects.get().certification == certificate


@pytest.mark.django_db
def test_a_link_made_before_the_rule_does_not_block_other_changes_but_is_checked_when_touched():
    product, certificate = make_case("another producer", "GTIN listed")
    Product.objects.filter(pk=product.pk).update(certification=certificate)  # an old link
    product = Product.objects.get(pk=product.pk)
    product.title = "Chè Shan tuyết – hộp 200 g"
    product.save()  # a rating update or a title edit still saves
    product.gtin = UNLISTED
    with pytest.raises(ValidationError):
        product.save()
    # a lot made now does not inherit the certificate that is not the product's
    lot = Lot.objects.create(
        product=Product.objects.get(pk=product.pk),
        code="L2",
        produced_on=certificate.decision_date + datetime.timedelta(days=10),
    )
    assert lot.certification is None


# --- Forms --------------------------------------------------------------------------------------


def form_data(response):
    """What the page's forms and formsets hold (the admin's or Oscar's), ready to post back."""
    context = response.context
    forms, data = [], {}
    if "adminform" in context:
        forms.append(context["adminform"].form)
        formsets = [inline.formset for inline in context["inline_admin_formsets"]]
    else:
        values = {key: context[key] for key in context.keys()}
        forms += [v for k, v in values.items() if k == "form" and isinstance(v, BaseForm)]
        formsets = [v for v in values.values() if isinstance(v, BaseFormSet)]
    for formset in formsets:
        data.update({field.html_name: field.value() for field in formset.management_form})
        data[f"{formset.prefix}-TOTAL_FORMS"] = formset.initial_form_count()
        forms += formset.initial_forms
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or field.widget_type in ("file", "clearablefile"):
                continue
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
                continue
            data[field.html_name] = value
    return data


def post_change(client, url, certificate):
    page = client.get(url)
    if page.status_code != 200:
        return page  # the role may not open it at all
    data = form_data(page)
    data["certification"] = certificate.pk
    data["_save"] = "Save"
    return client.post(url, data)


def expect(response, product_or_lot, certificate, case):
    """Refused cases: never stored, explained in the visitor's language, never a 500."""
    assert response.status_code < 500
    model = type(product_or_lot)
    stored = model.objects.get(pk=product_or_lot.pk).certification_id
    if refused(*case):
        assert stored is None
        if response.status_code == 200:
            product = getattr(product_or_lot, "product", product_or_lot)
            with translation.override(response["Content-Language"]):
                reason = str(certificate_mismatch(product.producer, product.gtin, certificate))
            assert escape(reason) in response.content.decode()
    return stored


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("quantri", "qt@ocop.test", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_the_django_admin_refuses_it_for_a_superuser(superuser_client, case):
    product, certificate = make_case(*case)
    url = f"/django-admin/catalogue/product/{product.pk}/change/"
    response = post_change(superuser_client, url, certificate)
    stored = expect(response, product, certificate, case)
    if not refused(*case):
        assert response.status_code == 302 and stored == certificate.pk


@pytest.mark.django_db
def test_moving_a_certified_product_to_another_producer_is_refused(superuser_client):
    product, certificate = make_case("own producer", "GTIN listed")
    product.certification = certificate
    product.save()
    stranger = ProducerFactory()
    url = f"/django-admin/catalogue/product/{product.pk}/change/"
    data = form_data(superuser_client.get(url))
    data.update(producer=stranger.pk, _save="Save")
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert Product.objects.get(pk=product.pk).producer_id == certificate.producer_id
    with translation.override(response["Content-Language"]):
        reason = str(certificate_mismatch(stranger, product.gtin, certificate))
    assert escape(reason) in response.content.decode()


@pytest.mark.django_db
def test_the_refusal_speaks_the_pages_language(superuser_client):
    case = ("another producer", "GTIN listed")
    product, certificate = make_case(*case)
    url = f"/django-admin/catalogue/product/{product.pk}/change/"
    response = post_change(superuser_client, url, certificate)
    assert response.status_code == 200
    expect(response, product, certificate, case)  # in the page's language (Content-Language)
    page = response.content.decode()
    assert ("là giấy chứng nhận của" in page) == (response["Content-Language"] == "vi")
    with translation.override("en"):
        english = str(certificate_mismatch(product.producer, product.gtin, certificate))
    assert "belongs to" in english and "not to this product's producer" in english


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_shop_staff_cannot_give_a_product_anothers_certificate(client, make_member, case):
    client.force_login(make_member(SHOP_STAFF))
    product, certificate = make_case(*case)
    url = f"/django-admin/catalogue/product/{product.pk}/change/"
    expect(post_change(client, url, certificate), product, certificate, case)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_registry_officers_cannot_give_a_lot_anothers_certificate(client, make_member, case):
    client.force_login(make_member(REGISTRY_OFFICERS))
    product, certificate = make_case(*case)
    lot = Lot.objects.create(
        product=product,
        code="L1",
        produced_on=certificate.decision_date + datetime.timedelta(days=10),
    )
    url = f"/django-admin/traceability/lot/{lot.pk}/change/"
    response = post_change(client, url, certificate)
    stored = expect(response, lot, certificate, case)
    if not refused(*case):
        assert response.status_code == 302 and stored == certificate.pk


@pytest.mark.django_db
def test_the_oscar_dashboard_and_the_api_cannot_set_a_certificate(superuser_client):
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    product, certificate = make_case("another producer", "GTIN listed")
    product.categories.add(create_from_breadcrumbs("Chè"))  # the dashboard asks for one
    url = f"/shop/dashboard/catalogue/products/{product.pk}/"
    data = form_data(superuser_client.get(url))
    data.update(certification=certificate.pk, producer=certificate.producer_id)
    response = superuser_client.post(url, data)
    assert response.status_code == 302  # saved, without the fields the form does not have
    assert carried(product) is None
    for method in ("post", "put", "patch"):
        answer = getattr(superuser_client, method)(
            "/api/v1/products",
            {"id": product.pk, "certification": certificate.pk},
            content_type="application/json",
        )
        assert answer.status_code == 405
    assert carried(product) is None


# --- Import and sync ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("producer_case", PRODUCERS)
def test_the_spreadsheet_import_links_only_the_producers_own_product(producer_case):
    from tests.integration.test_spreadsheet import ROWS, as_csv
    from traceability.spreadsheet import import_spreadsheet

    # ROWS[0]: HTX Nông nghiệp Mường Ảng, tax code 5600999001, GTIN 8936045900017
    own = ProducerFactory(name="HTX Nông nghiệp Mường Ảng", tax_code="5600999001")
    producer = {"own producer": own, "another producer": ProducerFactory()}.get(producer_case)
    product = create_product(title="Gạo Séng Cù", price=45000, producer=producer, gtin=LISTED)
    run = import_spreadsheet("QD-1520.csv", as_csv(ROWS[:1]), started_by="cán bộ")
    certificate = Certification.objects.get()
    assert certificate.producer == own  # the certificate itself is the registry's word
    if producer_case == "own producer":
        assert carried(product) == certificate.pk and not run.problems
    else:
        assert carried(product) is None
        assert any(f"not linked to product {product.pk}" in p for p in run.problems)


@pytest.fixture
def registry(settings):
    with FakeRegistry([feed_record("R-1", gtins=[LISTED])], page_size=2) as server:
        settings.REGISTRY_URL = server.url
        settings.REGISTRY_TOKEN = "s3cret"
        settings.REGISTRY_TIMEOUT = 2
        yield server


@pytest.mark.django_db
@pytest.mark.parametrize("producer_case", PRODUCERS)
def test_the_sync_links_by_gtin_only_the_producers_own_product(registry, producer_case):
    # feed_record's producer: HTX Chè Shan tuyết Tủa Chùa, tax code 5600123456
    own = ProducerFactory(name="HTX Chè Shan tuyết Tủa Chùa", tax_code="5600123456")
    producer = {"own producer": own, "another producer": ProducerFactory()}.get(producer_case)
    product = create_product(title="Chè", price=90000, producer=producer, gtin=LISTED)
    run = sync_from_feed(started_by="test")
    assert run.status == SyncRun.Status.SUCCEEDED
    if producer_case == "own producer":
        assert carried(product) == Certification.objects.get().pk
    else:
        assert carried(product) is None
        assert any(f"not linked to product {product.pk}" in p for p in run.problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"producer": dict(feed_record("R-1")["producer"], tax_code="5600777777", name="Cty B")},
        {"gtins": [UNLISTED]},
    ],
    ids=["moved to another producer", "GTIN dropped"],
)
def test_a_certificate_the_registry_moves_away_is_unlinked(registry, change):
    own = ProducerFactory(name="HTX Chè Shan tuyết Tủa Chùa", tax_code="5600123456")
    product = create_product(title="Chè", price=90000, producer=own, gtin=LISTED)
    sync_from_feed(started_by="test")
    assert carried(product) is not None
    registry.record("R-1").update(updated_at="2026-03-01T08:00:00+07:00", **change)
    run = sync_from_feed(started_by="test")
    assert run.updated == 1 and carried(product) is None
    assert any(f"unlinked from product {product.pk}" in p for p in run.problems)


# --- check_certifications ----------------------------------------------------------------------


@pytest.mark.django_db
def test_check_certifications_lists_links_that_break_the_rule():
    out = io.StringIO()
    call_command("check_certifications", stdout=out)  # nothing yet: exit status 0
    product, certificate = make_case("own producer", "GTIN listed")
    product.certification = certificate
    product.save()
    call_command("check_certifications", stdout=out)

    wrong, foreign = make_case("another producer", "GTIN listed")
    Product.objects.filter(pk=wrong.pk).update(certification=foreign)  # made before the rule
    lot = Lot.objects.create(product=product, code="L9", produced_on=datetime.date(2026, 1, 5))
    Lot.objects.filter(pk=lot.pk).update(certification=foreign)
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as failed:
        call_command("check_certifications", stdout=out)
    assert failed.value.returncode == 1
    assert "2 certificate links break the rule" in str(failed.value)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"product {wrong.pk} “{wrong.title}” of {wrong.producer.name}")
    assert f"[{foreign.registry_id}] of {foreign.producer.name}" in lines[0]
    assert "not to this product's producer" in lines[0]
    assert lines[1].startswith(f"lot {lot.pk} ")


def test_the_demo_carries_no_certificate_of_another_producer(demo_db):
    out = io.StringIO()
    call_command("check_certifications", stdout=out)  # raises CommandError on any mismatch
    assert Product.objects.filter(certification__isnull=False).exists()
    assert Lot.objects.filter(certification__isnull=False).exists()
