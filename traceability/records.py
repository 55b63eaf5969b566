"""Checking one registry record (the feed format of DESIGN.md) before it may touch the mirror."""

import datetime
from dataclasses import dataclass

from django.utils.dateparse import parse_date, parse_datetime

from .places import commune
from .rules import CERTIFIED_STARS, ProducerKind, ProductGroup
from .validators import normalise_gtin

STATUSES = ("active", "suspended", "revoked")

# Fields of a certificate compared between the mirror and an incoming record.
CERTIFICATE_FIELDS = (
    "product_name",
    "product_group",
    "stars",
    "score",
    "issuer",
    "decision_no",
    "decision_date",
    "valid_until",
    "status",
    "status_reason",
    "gtins",
    "updated_at",
)
PRODUCER_FIELDS = ("name", "kind", "tax_code", "commune_code")


class RecordError(ValueError):
    """A record that cannot be mirrored as it is; the message names the record and field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CheckedRecord:
    registry_id: str
    producer: dict
    certificate: dict
    raw: dict


def _text(record, name, required=True):
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError(f"{name} is missing", name)
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{name} is not text: {value!r}", name)
    return value.strip()


def _date(record, name):
    value = record.get(name)
    parsed = parse_date(value) if isinstance(value, str) else None
    if not isinstance(parsed, datetime.date):
        raise RecordError(f"{name} is not a date (YYYY-MM-DD): {value!r}", name)
    return parsed


def _int(record, name, required=True):
    value = record.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RecordError(f"{name} is not a whole number: {value!r}", name)
    try:
        return int(value)
    except ValueError:
        raise RecordError(f"{name} is not a whole number: {value!r}", name) from None


def check_record(record):
    """Validate and normalise a record; RecordError naming the record and the field if not."""
    if not isinstance(record, dict):
        raise RecordError(f"record is not an object: {record!r:.80}")
    registry_id = str(record.get("id") or "").strip()
    if not registry_id:
        raise RecordError("record without an id")
    try:
        return CheckedRecord(registry_id, *_check_fields(record), raw=record)
    except RecordError as exc:
        raise RecordError(f"record {registry_id}: {exc}", exc.field) from None


def _check_fields(record):
    producer = record.get("producer")
    if not isinstance(producer, dict):
        raise RecordError("producer is missing", "producer")
    kind = _text(producer, "kind")
    if kind not in ProducerKind.values:
        raise RecordError(
            f"producer.kind {kind!r} is not one of {', '.join(ProducerKind.values)}", "kind"
        )
    commune_code = _int(producer, "commune_code")
    if commune(commune_code) is None:
        raise RecordError(
            f"producer.commune_code {commune_code} is not a current commune code", "commune_code"
        )
    producer_fields = {
        "name": _text(producer, "name"),
        "kind": kind,
        "tax_code": _text(producer, "tax_code", required=False),
        "commune_code": commune_code,
    }

    status = _text(record, "status")
    if status not in STATUSES:
        raise RecordError(
            f"status {status!r} is unknown (expected {', '.join(STATUSES)})", "status"
        )
    group = _text(record, "product_group")
    if group not in ProductGroup.values:
        raise RecordError(f"product_group {group!r} is unknown", "product_group")
    stars = _int(record, "stars")
    if stars not in CERTIFIED_STARS:
        raise RecordError(f"stars {stars} is outside 3–5", "stars")
    score = _int(record, "score", required=False)
    if score is not None and not 0 <= score <= 100:
        raise RecordError(f"score {score} is outside 0–100", "score")
    decision_date = _date(record, "decision_date")
    valid_until = _date(record, "valid_until")
    if valid_until < decision_date:
        raise RecordError("valid_until is before decision_date", "valid_until")
    updated_raw = record.get("updated_at")
    updated_at = parse_datetime(updated_raw) if isinstance(updated_raw, str) else None
    if updated_at is None or updated_at.tzinfo is None:
        raise RecordError(
            f"updated_at is not a date-time with a time zone: {updated_raw!r}", "updated_at"
        )
    gtins = record.get("gtins") or []
    if not isinstance(gtins, list):
        raise RecordError("gtins is not a list", "gtins")
    try:
        gtins = sorted({normalise_gtin(str(g)) for g in gtins})
    except ValueError as exc:
        raise RecordError(f"gtins: {exc}", "gtins") from None
    certificate = {
        "product_name": _text(record, "product_name"),
        "product_group": group,
        "stars": stars,
        "score": score,
        "issuer": _text(record, "issuer"),
        "decision_no": _text(record, "decision_no"),
        "decision_date": decision_date,
        "valid_until": valid_until,
        "status": status,
        "status_reason": _text(record, "status_reason", required=False),
        "gtins": gtins,
        "updated_at": updated_at,
    }
    return producer_fields, certificate
