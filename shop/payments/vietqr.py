"""VietQR (NAPAS, EMVCo merchant-presented QR) payloads for bank transfers.

Fields as DESIGN.md states them: ID(2) LEN(2) VALUE; 00=01; 01=12 (dynamic, one order) or 11;
38 = {00=A000000727, 01={00 bank BIN, 01 account}, 02=QRIBFTTA}; 53=704; 54 amount; 58=VN;
62 = {08 purpose}; 63 CRC-16/CCITT-FALSE over everything before it including "6304".
"""

import re
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
PURPOSE = re.compile(r"^[A-Za-z0-9 ]{1,25}$")  # what banking apps carry through unchanged


class VietQRError(ValueError):
    pass


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(field_id, value):
    if len(value) > 99:
        raise VietQRError(f"field {field_id} is longer than 99 characters")
    return f"{field_id}{len(value):02d}{value}"


def payload(bank_bin, account, amount=None, purpose="", dynamic=True):
    """The text to put in the QR code. `amount` in whole đồng; `purpose` (e.g. the order number)."""
    if not re.fullmatch(r"\d{6}", str(bank_bin)):
        raise VietQRError("the bank BIN has six digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", str(account)):
        raise VietQRError("the account number has 1–19 letters or digits")
    if amount is not None:
        if int(amount) != amount or amount <= 0 or len(str(int(amount))) > 13:
            raise VietQRError("the amount is a positive whole number of đồng")
    if purpose and not PURPOSE.match(purpose):
        raise VietQRError("the transfer note has 1–25 letters, digits or spaces")
    beneficiary = tlv("00", NAPAS_GUID) + tlv("01", tlv("00", bank_bin) + tlv("01", account))
    text = (
        tlv("00", "01")
        + tlv("01", "12" if dynamic else "11")
        + tlv("38", beneficiary + tlv("02", SERVICE_TO_ACCOUNT))
        + tlv("53", CURRENCY_VND)
        + (tlv("54", str(int(amount))) if amount is not None else "")
        + tlv("58", "VN")
        + (tlv("62", tlv("08", purpose)) if purpose else "")
        + "6304"
    )
    return text + f"{crc16_ccitt_false(text.encode('ascii')):04X}"


def fields(text):
    """Split a TLV string into {id: value}; VietQRError when it does not parse."""
    parsed, index = {}, 0
    while index < len(text):
        try:
            field_id, length = text[index : index + 2], int(text[index + 2 : index + 4])
        except ValueError:
            raise VietQRError(f"bad length at position {index}") from None
        value = text[index + 4 : index + 4 + length]
        if len(value) != length:
            raise VietQRError(f"field {field_id} is cut short")
        parsed[field_id] = value
        index += 4 + length
    return parsed


@dataclass(frozen=True)
class Transfer:
    bank_bin: str
    account: str
    amount: int | None
    purpose: str
    dynamic: bool


def parse(text):
    """Read a VietQR payload back, checking its CRC; VietQRError if anything is off."""
    if len(text) < 8 or text[-8:-4] != "6304":
        raise VietQRError("no CRC field at the end")
    expected = f"{crc16_ccitt_false(text[:-4].encode('ascii')):04X}"
    if text[-4:].upper() != expected:
        raise VietQRError("the CRC does not match: the code is damaged or altered")
    top = fields(text[:-8])
    merchant = fields(top.get("38", ""))
    beneficiary = fields(merchant.get("01", ""))
    if merchant.get("00") != NAPAS_GUID or top.get("53") != CURRENCY_VND:
        raise VietQRError("not a NAPAS transfer in đồng")
    return Transfer(
        bank_bin=beneficiary.get("00", ""),
        account=beneficiary.get("01", ""),
        amount=int(top["54"]) if "54" in top else None,
        purpose=fields(top["62"]).get("08", "") if "62" in top else "",
        dynamic=top.get("01") == "12",
    )
