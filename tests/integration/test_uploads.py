"""Uploads are limited in size and pixel count, and SVG (which can carry scripts) is refused."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from tests.factories import certified_product

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def png(width=20, height=20, mode="RGB", padding=0):
    buffer = io.BytesIO()
    PILImage.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue() + b"\0" * padding


def pixel_flood():
    """A PNG of a few kilobytes that would decode to 100 megapixels."""
    return png(10_000, 10_000, mode="1")


def upload_image(client, name, content):
    return client.post(
        "/admin/images/add/",
        {"title": name, "file": SimpleUploadedFile(name, content)},
    )


def test_a_normal_photo_is_accepted(staff_client):
    response = upload_image(staff_client, "che.png", png())
    assert response.status_code == 302
    assert get_image_model().objects.filter(title="che.png").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", SVG, "Not a supported image format"),
        ("logo.png", SVG, "Not a valid"),
        ("flood.png", pixel_flood(), "too many pixels"),
        ("huge.png", png(padding=11 * 1024 * 1024), "too big"),
    ],
    ids=["svg", "svg-renamed-png", "pixel-flood", "eleven-megabytes"],
)
def test_hostile_pictures_are_refused_with_a_message(staff_client, name, content, message):
    response = upload_image(staff_client, name, content)
    assert response.status_code == 200  # the form again, with the error
    errors = " ".join(str(e) for e in response.context["form"].errors["file"])
    assert message.lower() in errors.lower()
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("page.svg", SVG), ("page.html", b"<script>alert(1)</script>"), ("tool.exe", b"MZ")],
)
def test_documents_of_unlisted_kinds_are_refused(staff_client, name, content):
    response = staff_client.post(
        "/admin/documents/add/", {"title": name, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not get_document_model().objects.exists()


def test_oversized_documents_are_refused(staff_client, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    response = staff_client.post(
        "/admin/documents/add/",
        {"title": "big", "file": SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * 2048)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


@pytest.mark.parametrize(
    ("content", "code"),
    [(pixel_flood(), "too_many_pixels"), (png(padding=11 * 1024 * 1024), "file_too_large")],
    ids=["pixel-flood", "eleven-megabytes"],
)
def test_product_photos_in_the_shop_dashboard_have_the_same_limits(content, code):
    from shop.catalogue.models import ProductImage

    image = ProductImage(
        product=certified_product(), original=SimpleUploadedFile("photo.png", content)
    )
    with pytest.raises(ValidationError) as raised:
        image.full_clean()
    assert raised.value.error_dict["original"][0].code == code


def test_a_product_photo_within_the_limits_is_valid():
    from shop.catalogue.models import ProductImage

    image = ProductImage(
        product=certified_product(), original=SimpleUploadedFile("photo.png", png())
    )
    image.full_clean()
