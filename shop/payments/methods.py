"""Which payment methods a customer may choose right now: staff switches, server configuration."""

from django.conf import settings

from shop.order.statuses import COD, PAYMENT_METHOD_CHOICES, STRIPE, VIETQR

from .models import PaymentSettings


def available():
    """Codes of the methods on offer, in the order shown to the customer."""
    from . import stripe_api  # only here: most pages never need the Stripe library

    config = PaymentSettings.load()
    enabled = {
        VIETQR: config.vietqr_enabled
        and bool(settings.VIETQR_BANK_BIN and settings.VIETQR_ACCOUNT),
        COD: config.cod_enabled,
        STRIPE: config.stripe_enabled and stripe_api.is_configured(),
    }
    return [code for code, _label in PAYMENT_METHOD_CHOICES if enabled[code]]


def choices():
    offered = available()
    return [(code, label) for code, label in PAYMENT_METHOD_CHOICES if code in offered]
