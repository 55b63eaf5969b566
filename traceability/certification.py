"""The one question the shop and the pages ask: may this product be sold, with which stars, today?

The state is computed from the certificate and today's date, never stored, so a certificate is
expired the morning after `valid_until` whether or not a sync ran.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import CERTIFIED_STARS, EXPIRY_NOTICE_DAYS


class State(models.TextChoices):
    ACTIVE = "active", _("Certified")
    EXPIRING = "expiring", _("Certified, expiring soon")
    EXPIRED = "expired", _("Certificate expired")
    SUSPENDED = "suspended", _("Certificate suspended")
    REVOKED = "revoked", _("Certificate revoked")
    NOT_CERTIFIED = "none", _("Not certified")


SELLABLE_STATES = frozenset({State.ACTIVE, State.EXPIRING})


@dataclass(frozen=True)
class Standing:
    """What holds for a product's certificate on a given day."""

    state: State
    stars: int | None
    certificate: object | None
    on: datetime.date

    @property
    def sellable(self):
        return self.state in SELLABLE_STATES

    @property
    def label(self):
        return self.state.label


def today():
    return timezone.localdate()


def state_of(certificate, on=None):
    """Lifecycle state of a certificate (or None) on a day (today by default)."""
    on = on or today()
    if certificate is None or certificate.stars not in CERTIFIED_STARS:
        return State.NOT_CERTIFIED
    if certificate.status == "revoked":
        return State.REVOKED
    if certificate.status == "suspended":
        return State.SUSPENDED
    if on < certificate.decision_date:
        return State.NOT_CERTIFIED
    if on > certificate.valid_until:
        return State.EXPIRED
    if (certificate.valid_until - on).days < EXPIRY_NOTICE_DAYS:
        return State.EXPIRING
    return State.ACTIVE


def standing(certificate, on=None):
    """The product's standing: state, and the stars only while they may be shown as certified."""
    on = on or today()
    state = state_of(certificate, on)
    stars = certificate.stars if state in SELLABLE_STATES else None
    return Standing(state=state, stars=stars, certificate=certificate, on=on)


def current_filter(on=None, prefix=""):
    """A Q matching certificates that hold on a day (the SQL twin of `state_of` ⊂ sellable)."""
    on = on or today()
    return models.Q(
        **{
            f"{prefix}stars__in": CERTIFIED_STARS,
            f"{prefix}status": "active",
            f"{prefix}decision_date__lte": on,
            f"{prefix}valid_until__gte": on,
        }
    )


def held_on(certificate, day):
    """Whether a certificate was in force on a past day by its dates (a lot's production date).

    Suspension or revocation later does not rewrite that history; pages say what holds today
    separately.
    """
    return (
        certificate is not None
        and certificate.stars in CERTIFIED_STARS
        and certificate.decision_date <= day <= certificate.valid_until
    )
