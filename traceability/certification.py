"""The one question the shop and the pages ask: may this product be sold, with which stars, today?

The state is computed from the certificate and today's date, never stored, so a certificate is
expired the morning after `valid_until` whether or not a sync ran.

Also the rule of who may carry a certificate (`certificate_mismatch`): only a product of the
certificate's own producer, and of one of its GTINs when the registry lists them.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import CERTIFIED_STARS, EXPIRY_NOTICE_DAYS
from .validators import normalise_gtin


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


def certificate_mismatch(producer, gtin, certificate):
    """Why `certificate` may not be carried by a product of `producer` with `gtin`, or None.

    The one rule for every way a certificate reaches a product or a lot: it must be a
    certificate of the product's own producer and, when the registry lists GTINs for it and the
    product has one, of that GTIN. Returns a translated reason for the person making the link.
    """
    if certificate is None:
        return None
    if producer is None:
        return _(
            "A product without a producer cannot carry a certificate: %(certificate)s "
            "belongs to %(owner)s."
        ) % {"certificate": certificate, "owner": certificate.producer}
    if producer.pk != certificate.producer_id:
        return _(
            "%(certificate)s belongs to %(owner)s, not to this product's producer (%(producer)s)."
        ) % {"certificate": certificate, "owner": certificate.producer, "producer": producer}
    if gtin and certificate.gtins:
        try:
            gtin = normalise_gtin(gtin)
        except ValueError:
            pass  # compared as typed; the GTIN field explains what is wrong with it
        if gtin not in certificate.gtins:
            return _("%(certificate)s covers GTIN %(gtins)s, not this product's GTIN %(gtin)s.") % {
                "certificate": certificate,
                "gtins": ", ".join(certificate.gtins),
                "gtin": gtin,
            }
    return None


_UNKNOWN = object()


class CertificateLinkGuard:
    """For a model that carries a certificate (a product, a lot): the link is checked against
    `certificate_mismatch` whenever it is made or changed, in `clean()` for forms and again in
    `save()` as the last line, whatever saves it. A link left as loaded is not re-checked on
    every save (a review updating a product's rating must not fail on it); those are listed by
    `manage.py check_certifications`.

    A subclass names the fields that make the link in `certificate_link_fields` and says what
    is wrong with it in `certificate_link_problem()`.
    """

    certificate_link_fields = ()

    def certificate_link_problem(self):
        raise NotImplementedError

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_certificate_link = instance._certificate_link()
        return instance

    def _certificate_link(self):
        return tuple(self.__dict__.get(name, _UNKNOWN) for name in self.certificate_link_fields)

    def certificate_link_changed(self):
        stored = getattr(self, "_stored_certificate_link", None)
        return stored is None or _UNKNOWN in stored or stored != self._certificate_link()

    def check_certificate_link(self, update_fields=None):
        """ValidationError when a new or changed link breaks the rule. Not tied to the
        `certification` field: a form that changes only the producer or the GTIN has no such
        field, and an error naming a field a form lacks is a server error in Django."""
        if update_fields is not None:
            names = {name.removesuffix("_id") for name in self.certificate_link_fields}
            if not names & {name.removesuffix("_id") for name in update_fields}:
                return
        if self.certificate_link_changed():
            reason = self.certificate_link_problem()
            if reason:
                raise ValidationError(reason, code="certificate_mismatch")

    def certificate_link_saved(self):
        self._stored_certificate_link = self._certificate_link()
