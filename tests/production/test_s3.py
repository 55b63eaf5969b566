"""Media and private files on an S3-compatible store: a real moto server on 127.0.0.1.

Uploads (Wagtail, Oscar's dashboard) and their renditions and thumbnails land in the public
bucket; lot documents and label sheets in the private one, fetched by staff through signed URLs
that expire. With the server stopped mid-run, pages still answer (without pictures), uploads
get a message and leave no row, /readyz says so within seconds; started again, all works.
"""

import datetime
import io
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.utils import timezone
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from PIL import Image as PILImage
from wagtail.images import get_image_model

from cms.models import HomePage
from config.media import StorageUnavailable
from news.models import NewsArticlePage, NewsIndexPage
from tests.factories import certified_product
from tests.s3 import ACCESS_KEY, REGION, SECRET_KEY
from traceability.models import Label, LabelSheet, Lot, LotEvent

pytestmark = pytest.mark.django_db


def picture(size=(64, 48), kind="PNG", colour=(20, 120, 60)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def fetch(url):
    """(status, body) of an anonymous GET, as a browser would do it."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def form_data(response):
    """The page's form and formsets with the values they show; formsets without their extra
    forms (a test adds the ones it fills in)."""
    data = {}
    for key in response.context.keys():
        value = response.context[key]
        if isinstance(value, BaseFormSet):
            management = value.management_form
            data.update({field.html_name: field.value() for field in management})
            data[f"{value.prefix}-TOTAL_FORMS"] = value.initial_form_count()
            forms = value.initial_forms
        elif key == "form" and isinstance(value, BaseForm):
            forms = [value]
        else:
            continue
        for form in forms:
            for field in form:
                current = field.value()
                if current is None or field.widget_type in ("file", "clearablefile"):
                    continue
                if isinstance(current, bool):
                    if current:
                        data[field.html_name] = "on"
                    continue
                data[field.html_name] = current
    return data


def add_product_photo(client, product, content, name="che.jpg"):
    url = f"/shop/dashboard/catalogue/products/{product.pk}/"
    data = form_data(client.get(url))
    extra = data["images-TOTAL_FORMS"]
    data["images-TOTAL_FORMS"] = extra + 1
    data[f"images-{extra}-original"] = SimpleUploadedFile(name, content, "image/jpeg")
    data[f"images-{extra}-display_order"] = extra
    if not data["productcategory_set-TOTAL_FORMS"]:  # Oscar wants a category
        data["productcategory_set-TOTAL_FORMS"] = 1
        data["productcategory_set-0-category"] = create_from_breadcrumbs("Chè").pk
    return client.post(url, data)


def make_lot(product):
    today = timezone.localdate()
    return Lot.objects.create(
        product=product, code="L-S3", produced_on=today - datetime.timedelta(days=10)
    )


def test_wagtail_images_and_their_renditions_land_in_the_public_bucket(staff_client, s3_media):
    response = staff_client.post(
        "/admin/images/add/",
        {"title": "Đồi chè", "file": SimpleUploadedFile("doi-che.png", picture())},
    )
    assert response.status_code == 302
    image = get_image_model().objects.get(title="Đồi chè")
    rendition = image.get_rendition("fill-32x24")
    keys = s3_media.server.keys()
    assert image.file.name in keys and rendition.file.name in keys
    # Public media: a plain, permanent URL on the store that anyone may fetch.
    assert rendition.url == f"{s3_media.server.url}/ocop-media/{rendition.file.name}"
    assert "Signature" not in image.file.url
    status, body = fetch(rendition.url)
    assert status == 200 and PILImage.open(io.BytesIO(body)).size == (32, 24)


def test_product_photos_from_the_shop_dashboard_land_in_the_bucket(staff_client, s3_media):
    product = certified_product(title="Chè Shan tuyết Tủa Chùa")
    response = add_product_photo(staff_client, product, picture((800, 600), "JPEG"))
    assert response.status_code == 302
    original = product.images.get().original
    assert original.name in s3_media.server.keys(prefix="images/products/")
    # The product page's thumbnails are made from it and stored next to it.
    page = Client().get(product.get_absolute_url()).content.decode()
    thumbnails = s3_media.server.keys(prefix="cache/")
    assert thumbnails and all(f"/ocop-media/{key}" in page for key in thumbnails)


def test_a_second_upload_with_the_same_name_never_overwrites(s3_media):
    for alias, bucket, prefix in [
        ("default", "ocop-media", ""),
        ("private", "ocop-private", "private/"),
    ]:
        storage = storages[alias]
        first = storage.save("same/name.txt", ContentFile(b"first"))
        second = storage.save("same/name.txt", ContentFile(b"second"))
        assert first != second
        assert s3_media.server.keys(bucket, f"{prefix}same/") == sorted(
            [f"{prefix}{first}", f"{prefix}{second}"]
        )
        assert s3_media.server.read(f"{prefix}{first}", bucket) == b"first"


def assert_signed_by_the_configured_key(url, expires):
    """The URL carries a SigV4 query signature by our key that expires in `expires` seconds.

    moto 5.2 does not check presigned signatures itself, so the test signs the same request
    with botocore at the URL's own timestamp and compares.
    """
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Credential"].startswith(f"{ACCESS_KEY}/")
    assert query["X-Amz-Expires"] == str(expires)
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert abs(now - signed_at) < datetime.timedelta(minutes=1)
    unsigned = {k: v for k, v in query.items() if not k.startswith("X-Amz-")}
    request = AWSRequest(method="GET", url=f"{parts.scheme}://{parts.netloc}{parts.path}")
    request.params = unsigned
    request.context["timestamp"] = query["X-Amz-Date"]
    signer = S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION, expires=expires)
    signer.add_auth(request)
    expected = parse_qs(urlsplit(request.url).query)["X-Amz-Signature"][0]
    assert query["X-Amz-Signature"] == expected


def test_lot_documents_are_private_and_staff_get_a_link_that_expires(staff_client, s3_media):
    visitor = Client()
    lot = make_lot(certified_product())
    event = LotEvent(lot=lot, kind="inspection", happened_on=lot.produced_on)
    event.document.save("kiem-nghiem.pdf", ContentFile(b"%PDF-1.4 test report"), save=True)
    key = f"private/{event.document.name}"
    assert s3_media.server.keys("ocop-private", "private/lots/") == [key]
    assert not s3_media.server.keys("ocop-media", "lots/")
    # Nobody gets the object without a signature.
    assert fetch(f"{s3_media.server.url}/ocop-private/{key}")[0] == 403
    view = f"/django-admin/traceability/lot/{lot.pk}/documents/{event.pk}/"
    assert visitor.get(view)["Location"].startswith("/django-admin/login/")
    response = staff_client.get(view)
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]
    url = response["Location"]
    assert url.startswith(f"{s3_media.server.url}/ocop-private/{key}?")
    assert_signed_by_the_configured_key(url, expires=300)
    assert fetch(url) == (200, b"%PDF-1.4 test report")
    # The public scan page says there is a report, and links to no stored file.
    page = visitor.get(f"/q/{lot.short_code}?lang=en").content.decode()
    assert "document kept on file" in page
    assert "ocop-private" not in page and "kiem-nghiem" not in page


def test_label_sheets_are_stored_privately_and_can_be_downloaded_again(staff_client, s3_media):
    lot = make_lot(certified_product())
    form = {"count": 3, "serialised": "on", "format": "pdf", "layout": "a4-24"}
    response = staff_client.post(f"/django-admin/traceability/lot/{lot.pk}/labels/", form)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    printed = b"".join(response.streaming_content)
    sheet = LabelSheet.objects.get(lot=lot)
    assert (sheet.count, sheet.format, sheet.serialised) == (3, "pdf", True)
    assert sheet.created_by.username == "staff"
    assert s3_media.server.keys("ocop-private", "private/labels/") == [f"private/{sheet.file.name}"]
    again = staff_client.get(f"/django-admin/traceability/labelsheet/{sheet.pk}/download/")
    assert again.status_code == 302
    assert_signed_by_the_configured_key(again["Location"], expires=300)
    assert (
        "labels-L-S3.pdf"
        in parse_qs(urlsplit(again["Location"]).query)["response-content-disposition"][0]
    )
    assert fetch(again["Location"]) == (200, printed)


@pytest.fixture
def site_with_pictures(staff_client, s3_media):
    """A home page, a news article with a lead image, a product with a photo and its lot, all
    shown once while the store answers (renditions and thumbnails made), and a second product
    whose photo was never shown (no thumbnail yet)."""
    home = HomePage.objects.get(locale__language_code="vi")
    index = NewsIndexPage(title="Tin tức", slug="tin-tuc-s3")
    home.add_child(instance=index)
    index.save_revision().publish()
    image = get_image_model()(title="Đồi chè")
    content = io.BytesIO(picture((640, 480), "JPEG"))
    image.file.save("doi-che.jpg", ImageFile(content, name="doi-che.jpg"), save=False)
    image.save()
    article = NewsArticlePage(
        title="Mùa chè mới", slug="mua-che-moi", date=timezone.localdate(), lead_image=image
    )
    index.add_child(instance=article)
    article.save_revision().publish()
    shown = certified_product(title="Chè Shan tuyết Tủa Chùa")
    assert add_product_photo(staff_client, shown, picture((800, 600), "JPEG")).status_code == 302
    lot = make_lot(shown)
    pages = {
        "home": "/",
        "news": article.url,
        "product": shown.get_absolute_url(),
        "scan": f"/q/{lot.short_code}",
    }
    visitor = Client()
    for name, url in pages.items():
        assert visitor.get(url).status_code == 200, name
    unseen = certified_product(title="Mật ong bạc hà")
    assert add_product_photo(staff_client, unseen, picture((800, 600), "JPEG")).status_code == 302
    return pages, unseen, lot


def test_with_the_store_stopped_pages_answer_uploads_get_a_message_and_nothing_is_half_written(
    staff_client, s3_media, site_with_pictures
):
    pages, unseen, lot = site_with_pictures
    visitor = Client()
    images_before = get_image_model().objects.count()
    s3_media.server.stop()

    # Pages: renditions and thumbnails made before are named without asking the store.
    for name, url in {**pages, "unseen product": unseen.get_absolute_url()}.items():
        response = visitor.get(url)
        assert response.status_code == 200, name
    scan = visitor.get(f"/q/{lot.short_code}?lang=en").content.decode()
    assert "ocop-media/cache/" in scan  # its photo's thumbnail was made while the store answered
    unseen_page = visitor.get(unseen.get_absolute_url()).content.decode()
    # A photo never shown before has no thumbnail yet: a placeholder instead.
    assert 'class="photo photo-missing" role="img" aria-label="Mật ong bạc hà"' in unseen_page

    # Uploads: a message on the form's page, no row pointing at a file that is not there.
    response = staff_client.post(
        "/admin/images/add/",
        {"title": "Mới", "file": SimpleUploadedFile("moi.png", picture())},
        follow=True,
    )
    assert response.redirect_chain == [("/admin/images/add/", 302)]
    assert "Kho lưu tệp không phản hồi" in response.content.decode()
    response = staff_client.post(
        "/admin/images/multiple/add/",
        {"files[]": SimpleUploadedFile("moi.png", picture())},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 503 and response.json()["success"] is False
    assert get_image_model().objects.count() == images_before
    labels = staff_client.post(
        f"/django-admin/traceability/lot/{lot.pk}/labels/",
        {"count": 2, "serialised": "on", "format": "pdf", "layout": "a4-24"},
    )
    assert labels.status_code == 200 and "Không lưu được tờ tem nhãn" in labels.content.decode()
    assert not LabelSheet.objects.exists() and not Label.objects.exists()

    started = time.monotonic()
    ready = visitor.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["storage"] == "failed"
    assert time.monotonic() - started < 3

    # Back again: ready, and uploads land.
    s3_media.server.start()
    assert visitor.get("/readyz").status_code == 200
    response = staff_client.post(
        "/admin/images/add/", {"title": "Mới", "file": SimpleUploadedFile("moi.png", picture())}
    )
    assert response.status_code == 302
    assert get_image_model().objects.get(title="Mới").file.name in s3_media.server.keys()


def test_a_product_photo_upload_while_the_store_is_down_leaves_no_row(staff_client, s3_media):
    product = certified_product()
    s3_media.server.stop()
    response = add_product_photo(staff_client, product, picture((80, 60), "JPEG"))
    assert response.status_code == 302
    assert response["Location"] == f"/shop/dashboard/catalogue/products/{product.pk}/"
    assert not product.images.exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert "Kho lưu tệp không phản hồi" in page


def test_after_a_failure_the_store_is_left_alone_until_a_probe_finds_it_back(
    s3_media, settings, monkeypatch
):
    import environ

    from config.storage_settings import media_storages

    monkeypatch.setenv("AWS_S3_UNAVAILABLE_FOR", "60")
    settings.STORAGES = {
        **settings.STORAGES,
        **media_storages(environ.Env(), private_root=settings.PRIVATE_MEDIA_ROOT),
    }
    storage = storages["default"]
    s3_media.server.stop()
    with pytest.raises(StorageUnavailable):
        storage.exists("a.txt")
    s3_media.server.start()
    with pytest.raises(StorageUnavailable, match="moments ago"):
        storage.exists("a.txt")  # not asked again within the minute …
    assert storage.probe("a.txt") is False  # … except by the health check, which resets it
    assert storage.exists("a.txt") is False


@pytest.fixture
def silent_store():
    """A TCP port that accepts connections and never answers: a hung store."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_hung_store_fails_within_the_configured_timeouts(
    client, s3_media, settings, monkeypatch, silent_store
):
    import environ

    from config.storage_settings import media_storages

    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", silent_store)
    monkeypatch.setenv("AWS_S3_READ_TIMEOUT", "0.5")
    settings.STORAGES = {
        **settings.STORAGES,
        **media_storages(environ.Env(), private_root=settings.PRIVATE_MEDIA_ROOT),
    }
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["storage"] == "failed"
    # Two attempts of 0.5 s each and a short back-off, not botocore's 60 s × 5.
    assert elapsed < 3, elapsed


SHOW_STORAGES = """
import json
import django
django.setup()
from django.core.files.storage import storages
shown = {}
for alias in ("default", "private"):
    s = storages[alias]
    c = s.client_config
    shown[alias] = {
        "class": type(s).__name__, "bucket": s.bucket_name, "location": s.location,
        "overwrite": s.file_overwrite, "signed": s.querystring_auth,
        "expire": s.querystring_expire, "acl": s.default_acl, "custom_domain": s.custom_domain,
        "timeouts": [c.connect_timeout, c.read_timeout, c.retries["max_attempts"]],
        "signature": c.signature_version,
    }
print(json.dumps(shown))
"""


def test_production_settings_read_the_s3_variables(production_env, moto_server):
    import subprocess
    import sys

    from .conftest import ROOT

    env = {
        **production_env,
        **moto_server.environment(),
        "AWS_PRIVATE_BUCKET_NAME": "",  # one bucket, private files under their own prefix
        "AWS_S3_CUSTOM_DOMAIN": "media.ocop.test",
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW_STORAGES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["default"] == {
        "class": "S3MediaStorage",
        "bucket": "ocop-media",
        "location": "",
        "overwrite": False,
        "signed": False,
        "expire": 3600,
        "acl": None,
        "custom_domain": "media.ocop.test",
        "timeouts": [1.0, 2.0, 2],
        "signature": "s3v4",
    }
    assert shown["private"] == {
        **shown["default"],
        "location": "private",
        "signed": True,
        "expire": 300,
        "acl": "private",
        "custom_domain": None,  # signed by S3 itself, never an unsigned CDN address
    }
