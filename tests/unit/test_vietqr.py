"""VietQR payloads: field by field, CRC-16/CCITT-FALSE, and a QR image that decodes back."""

import pytest
import qrcode
import zxingcpp

from shop.payments.vietqr import VietQRError, crc16_ccitt_false, fields, parse, payload


def test_crc_matches_the_standard_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE catalogue value


def test_payload_field_by_field():
    text = payload("970436", "0011001234567", amount=370000, purpose="OCOP100023")
    top = fields(text)
    assert list(top) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert top["00"] == "01" and top["01"] == "12"
    merchant = fields(top["38"])
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert fields(merchant["01"]) == {"00": "970436", "01": "0011001234567"}
    assert top["53"] == "704" and top["54"] == "370000" and top["58"] == "VN"
    assert fields(top["62"]) == {"08": "OCOP100023"}
    assert text[-8:-4] == "6304"
    assert text[-4:] == f"{crc16_ccitt_false(text[:-4].encode()):04X}"
    transfer = parse(text)
    assert (transfer.amount, transfer.purpose, transfer.dynamic) == (370000, "OCOP100023", True)


def test_static_code_without_amount():
    transfer = parse(payload("970415", "113366668888", dynamic=False))
    assert transfer.amount is None and transfer.dynamic is False and transfer.purpose == ""


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bank_bin": "97043", "account": "1"},
        {"bank_bin": "970436", "account": "12-34"},
        {"bank_bin": "970436", "account": "1", "amount": 1250.5},
        {"bank_bin": "970436", "account": "1", "amount": 0},
        {"bank_bin": "970436", "account": "1", "purpose": "Đơn hàng số 1"},
        {"bank_bin": "970436", "account": "1", "purpose": "X" * 26},
    ],
)
def test_bad_inputs_are_refused(kwargs):
    with pytest.raises(VietQRError):
        payload(**kwargs)


def test_an_altered_code_fails_its_crc():
    text = payload("970436", "0011001234567", amount=370000, purpose="OCOP100023")
    tampered = text.replace("54063700", "54063800")
    with pytest.raises(VietQRError, match="CRC"):
        parse(tampered)


def test_qr_image_decodes_to_the_same_payload():
    text = payload("970436", "0011001234567", amount=1250000, purpose="OCOP100024")
    image = qrcode.make(text, error_correction=qrcode.constants.ERROR_CORRECT_M)
    decoded = zxingcpp.read_barcodes(image.get_image().convert("L"))
    assert [code.text for code in decoded] == [text]
