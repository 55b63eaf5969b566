"""VietQR transfers: the code on the order page, staff confirmation, bank statement matching."""

import io

import pytest
import zxingcpp
from django.core import mail
from oscar.core.loading import get_model
from PIL import Image

from shop.order.statuses import AWAITING_TRANSFER, CANCELLED, PAID
from shop.payments import vietqr
from shop.payments.models import BankTransfer
from tests.factories import certified_product, placed_order

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def order(settings):
    settings.VIETQR_BANK_BIN = "970436"
    settings.VIETQR_ACCOUNT = "0011004455667"
    tea = certified_product(price=185000, stock=5, title="Chè Shan tuyết Tủa Chùa")
    wine = certified_product(price=240000, stock=5, title="Rượu Mông pê")
    return placed_order((tea, 2), (wine, 1), method="vietqr")


def status_page(order):
    return f"/shop/payments/{order.number}/{order.verification_hash()}/"


def test_order_page_shows_a_vietqr_that_decodes_to_the_exact_payload(client, order):
    page = client.get(status_page(order))
    assert page.status_code == 200
    html = page.content.decode()
    assert "610.000\xa0₫" in html and "0011004455667" in html and "Vietcombank" in html
    image_url = f"/shop/payments/{order.number}/{order.verification_hash()}/vietqr.png"
    assert image_url in html
    image = client.get(image_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)))
    assert len(decoded) == 1
    text = decoded[0].text
    assert text in html  # the same payload as copyable text
    transfer = vietqr.parse(text)
    assert (transfer.bank_bin, transfer.account) == ("970436", "0011004455667")
    assert transfer.amount == 610000 and transfer.purpose == str(order.number)
    assert transfer.dynamic


def test_a_foreign_or_forged_link_shows_nothing(client, order):
    other = placed_order((certified_product(), 1))
    assert (
        client.get(
            f"/shop/payments/{order.number}/{other.verification_hash()}/vietqr.png"
        ).status_code
        == 404
    )
    assert client.get(f"/shop/payments/{order.number}/garbage/vietqr.png").status_code == 404
    assert (
        client.get(
            status_page(order).replace(order.verification_hash(), other.verification_hash())
        ).status_code
        == 404
    )


STATEMENT = """Ngày giao dịch;Số tham chiếu;Ghi có;Nội dung
02/12/2026;FT001;610.000;{number} chuyen tien mua che
02/12/2026;FT002;100.000;{other} tra truoc
02/12/2026;FT003;250.000;chuyen tien khong ghi ma
02/12/2026;FT004;;phi dich vu
"""


def test_statement_import_matches_by_note_and_amount_and_reports_the_rest(
    staff_client, order, django_capture_on_commit_callbacks
):
    other = placed_order((certified_product(price=300000), 1))
    data = STATEMENT.format(number=order.number, other=other.number).encode()
    upload = io.BytesIO(data)
    upload.name = "saoke.csv"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/orders/statement/", {"statement": upload})
    assert response.status_code == 200
    outcomes = {t.bank_reference: t.outcome for t in BankTransfer.objects.all()}
    assert outcomes == {"FT001": "matched", "FT002": "partial", "FT003": "unmatched"}
    order.refresh_from_db()
    other.refresh_from_db()
    assert order.status == PAID and other.status == AWAITING_TRANSFER
    assert len(mail.outbox) == 1
    html = response.content.decode()
    assert "Amount below the order total" in html or "thấp hơn" in html

    upload = io.BytesIO(data)
    upload.name = "saoke.csv"
    staff_client.post("/admin/orders/statement/", {"statement": upload})  # the same file again
    assert BankTransfer.objects.count() == 3
    assert PaymentEvent.objects.filter(order=order, event_type__name="Paid").count() == 1


def test_a_statement_we_cannot_read_gets_a_clear_message(staff_client):
    upload = io.BytesIO(b"\xff\xfe\x00garbage")
    upload.name = "x.csv"
    response = staff_client.post("/admin/orders/statement/", {"statement": upload})
    assert response.status_code == 200
    assert BankTransfer.objects.count() == 0
    assert "UTF-8" in response.content.decode()


def test_staff_confirm_cancel_and_ship_from_the_admin(staff_client, order):
    page = staff_client.get("/admin/orders/")
    assert page.status_code == 200 and str(order.number) in page.content.decode()
    staff_client.post(f"/admin/orders/{order.number}/action/", {"action": "confirm-transfer"})
    order.refresh_from_db()
    assert order.status == PAID
    staff_client.post(f"/admin/orders/{order.number}/action/", {"action": "cancel"})
    order.refresh_from_db()
    assert order.status == PAID  # refused: paid orders are refunded, not cancelled
    other = placed_order((certified_product(), 1))
    staff_client.post(f"/admin/orders/{other.number}/action/", {"action": "cancel"})
    other.refresh_from_db()
    assert other.status == CANCELLED


def test_editors_without_order_permission_cannot_touch_orders(client, django_user_model, order):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", "e@ocop.test", "pw", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/orders/").status_code in (302, 403)
    response = client.post(f"/admin/orders/{order.number}/action/", {"action": "confirm-transfer"})
    assert response.status_code in (302, 403) and response.get("Location") != "/admin/orders/"
    order.refresh_from_db()
    assert order.paid_at is None
