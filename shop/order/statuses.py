"""Order stages and payment methods: the codes stored, and the words people read."""

from django.utils.translation import gettext_lazy as _

VIETQR = "vietqr"
COD = "cod"
STRIPE = "stripe"

PAYMENT_METHOD_CHOICES = [
    (VIETQR, _("Bank transfer (VietQR)")),
    (COD, _("Cash on delivery")),
    (STRIPE, _("Card (Stripe)")),
]

AWAITING_TRANSFER = "awaiting-transfer"
AWAITING_CARD = "awaiting-card"
COD_UNPAID = "cod-unpaid"
PAID = "paid"
SHIPPED = "shipped"
DELIVERED = "delivered"
EXPIRED = "expired"
CANCELLED = "cancelled"
REFUNDED = "refunded"

LABELS = {
    AWAITING_TRANSFER: _("Awaiting transfer"),
    AWAITING_CARD: _("Awaiting card payment"),
    COD_UNPAID: _("Cash on delivery, unpaid"),
    PAID: _("Paid, being prepared"),
    SHIPPED: _("Shipped"),
    DELIVERED: _("Delivered"),
    EXPIRED: _("Expired: not paid in time"),
    CANCELLED: _("Cancelled"),
    REFUNDED: _("Refunded"),
}

# Orders waiting for money that never came are expired; these hold stock until then.
AWAITING_PAYMENT = (AWAITING_TRANSFER, AWAITING_CARD)
# Stages whose stock is released: nothing more will be shipped.
CLOSED = (EXPIRED, CANCELLED, REFUNDED)

INITIAL_STATUS = {VIETQR: AWAITING_TRANSFER, COD: COD_UNPAID, STRIPE: AWAITING_CARD}


def status_label(code):
    return LABELS.get(code, code)
