"""Bringing registry records (the feed format in DESIGN.md) into the local mirror.

`import_records` is the one path every source goes through: the live feed, a decision
spreadsheet, and the demo's feed file.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .models import Certification, Producer


class RecordError(ValueError):
    """A registry record that cannot be mirrored as it is."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)


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


def _date(value, name):
    parsed = parse_date(value) if isinstance(value, str) else value
    if not isinstance(parsed, datetime.date):
        raise RecordError(f"{name} is not a date: {value!r}")
    return parsed


def parse_record(record):
    """Registry JSON → (producer fields, certificate fields); RecordError when malformed."""
    try:
        producer = record["producer"]
        updated_at = parse_datetime(record["updated_at"])
        if updated_at is None:
            raise RecordError(f"updated_at is not a date-time: {record['updated_at']!r}")
        certificate = {
            "product_name": record["product_name"].strip(),
            "product_group": record["product_group"],
            "stars": int(record["stars"]),
            "score": None if record.get("score") is None else int(record["score"]),
            "issuer": record["issuer"].strip(),
            "decision_no": record["decision_no"].strip(),
            "decision_date": _date(record["decision_date"], "decision_date"),
            "valid_until": _date(record["valid_until"], "valid_until"),
            "status": record.get("status") or Certification.Status.ACTIVE,
            "status_reason": record.get("status_reason") or "",
            "gtins": list(record.get("gtins") or []),
            "updated_at": updated_at,
        }
        producer_fields = {
            "name": producer["name"].strip(),
            "kind": producer["kind"],
            "tax_code": (producer.get("tax_code") or "").strip(),
            "commune_code": int(producer["commune_code"]),
        }
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, RecordError):
            raise
        raise RecordError(f"record {record.get('id', '?')!r}: {exc!r}") from exc
    if certificate["status"] not in Certification.Status.values:
        raise RecordError(f"unknown status {certificate['status']!r}")
    return producer_fields, certificate


def _producer_for(fields, is_demo):
    producer = None
    if fields["tax_code"]:
        producer = Producer.objects.filter(tax_code=fields["tax_code"]).first()
    if producer is None:
        producer = Producer.objects.filter(
            name=fields["name"], commune_code=fields["commune_code"]
        ).first()
    if producer is None:
        producer = Producer(is_demo=is_demo, **fields)
        producer.full_clean(exclude=["slug"])
        producer.save()
    return producer


@transaction.atomic
def import_records(records, *, is_demo=False, now=None):
    """Create or update one certification per registry id; report what changed."""
    now = now or timezone.now()
    result = ImportResult()
    for record in records:
        try:
            producer_fields, fields = parse_record(record)
            registry_id = str(record["id"])
        except (RecordError, KeyError) as exc:
            result.errors.append(str(exc))
            continue
        producer = _producer_for(producer_fields, is_demo)
        certificate = Certification.objects.filter(registry_id=registry_id).first()
        if certificate is None:
            Certification.objects.create(
                registry_id=registry_id,
                producer=producer,
                is_demo=is_demo,
                last_confirmed_at=now,
                **fields,
            )
            result.created += 1
            continue
        changed = [
            name for name in CERTIFICATE_FIELDS if getattr(certificate, name) != fields[name]
        ]
        if certificate.producer_id != producer.pk:
            changed.append("producer")
        for name in CERTIFICATE_FIELDS:
            setattr(certificate, name, fields[name])
        certificate.producer = producer
        certificate.last_confirmed_at = now
        certificate.save()
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
    return result
