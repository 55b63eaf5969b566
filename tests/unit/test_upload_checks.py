"""config/uploads.py: web code hidden in an upload is found wherever it sits in the file."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from config import uploads


def test_web_code_split_across_two_reads_is_found():
    content = b"\x89PNG" + b"a" * (uploads._CHUNK - 7) + b"<ScRiPt>alert(1)</script>"
    with pytest.raises(ValidationError) as raised:
        uploads.refuse_active_content(SimpleUploadedFile("x.png", content))
    assert raised.value.code == "active_content"


def test_binary_without_web_code_passes_and_the_file_is_rewound():
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 5000)
    upload.read(10)
    uploads.refuse_active_content(upload)
    assert upload.tell() == 10


def test_documents_of_unlisted_kinds_and_oversized_ones_are_refused(settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 100
    with pytest.raises(ValidationError) as raised:
        uploads.validate_document(SimpleUploadedFile("page.html", b"hello"))
    assert raised.value.code == "file_kind"
    with pytest.raises(ValidationError) as raised:
        uploads.validate_document(SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 200))
    assert raised.value.code == "file_too_large"


def test_no_marker_is_short_enough_to_turn_up_in_random_bytes():
    """Compressed pictures look random: a marker of n bytes with k letters matches a random
    position with probability 2**k / 256**n: a 10 MB photo must almost never trip one."""
    for marker in uploads.ACTIVE_CONTENT:
        letters = sum(chr(b).isalpha() for b in marker)
        chance_per_photo = 10 * 2**20 * 2**letters / 256 ** len(marker)
        assert chance_per_photo < 1e-5, marker  # fewer than one photo in 100,000
