"""Staff pages in the Wagtail admin: orders waiting for money or a courier, and bank statements.

Every button calls one function of `shop.order.actions`, so the admin can do nothing the rules
don't allow (stock, payment records and emails go with each step).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from oscar.core.loading import get_class, get_model

from shop.order import actions
from shop.order.statuses import AWAITING_TRANSFER, COD_UNPAID, PAID, SHIPPED

from . import transfer
from .models import BankTransfer

Order = get_model("order", "Order")
OutOfStock = get_class("order.utils", "OutOfStock")

PERMISSION = "order.change_order"


def require_order_staff(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _orders(*statuses):
    return (
        Order.objects.filter(status__in=statuses)
        .select_related("shipping_address", "user")
        .order_by("date_placed")
    )


def orders_to_act_on(request):
    require_order_staff(request)
    context = {
        "awaiting_transfer": _orders(AWAITING_TRANSFER),
        "to_ship": _orders(PAID, COD_UNPAID),
        "on_the_way": _orders(SHIPPED),
        "transfer_buttons": [("confirm-transfer", _("Transfer received")), ("cancel", _("Cancel"))],
        "ship_buttons": [("ship", _("Shipped")), ("cancel", _("Cancel"))],
        "deliver_buttons": [("deliver", _("Delivered"))],
    }
    return TemplateResponse(request, "payments/admin/orders.html", context)


# Each action writes who did it, when and why in the order's notes; staff may say why they
# cancel (the other steps say it themselves).
ACTIONS = {
    "confirm-transfer": lambda order, user, reason: actions.record_payment(
        order, amount=order.total_incl_tax, reference=_("confirmed by staff"), user=user
    ),
    "ship": lambda order, user, reason: actions.mark_shipped(order, user=user),
    "deliver": lambda order, user, reason: actions.record_delivery(order, user=user),
    "cancel": lambda order, user, reason: actions.cancel(
        order, user=user, reason=reason and _("Cancelled: %s") % reason
    ),
}
REASON_MAX_LENGTH = 200


@require_POST
def order_action(request, number):
    require_order_staff(request)
    order = get_object_or_404(Order, number=number)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown action."))
        return redirect("payments_admin:orders")
    try:
        action(order, request.user, request.POST.get("reason", "").strip()[:REASON_MAX_LENGTH])
    except (actions.ActionRefused, OutOfStock) as refused:
        messages.error(
            request, _("Order %(number)s: %(reason)s") % {"number": number, "reason": refused}
        )
    else:
        order.refresh_from_db()
        messages.success(
            request,
            _("Order %(number)s: %(status)s") % {"number": number, "status": order.status_label},
        )
    return redirect("payments_admin:orders")


class StatementForm(forms.Form):
    statement = forms.FileField(
        label=gettext_lazy("Bank statement (CSV)"),
        help_text=gettext_lazy(
            "Export credited transactions from internet banking as CSV. Lines are matched to "
            "orders by the order number in the transfer note and by amount."
        ),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_statement(self):
        upload = self.cleaned_data["statement"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        try:
            return transfer.read_statement(upload.read())
        except transfer.StatementError as error:
            raise forms.ValidationError(str(error)) from None


def import_statement(request):
    require_order_staff(request)
    results = None
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        results = [
            transfer.match_line(line, user=request.user) for line in form.cleaned_data["statement"]
        ]
        matched = sum(1 for row, _new in results if row.outcome == BankTransfer.Outcome.MATCHED)
        messages.success(
            request,
            _("%(lines)d line(s) read, %(matched)d order(s) marked paid.")
            % {"lines": len(results), "matched": matched},
        )
    context = {
        "form": form,
        "results": results,
        "needs_attention": BankTransfer.objects.exclude(
            outcome__in=[BankTransfer.Outcome.MATCHED, BankTransfer.Outcome.ALREADY_PAID]
        ).select_related("order")[:100],
    }
    return TemplateResponse(request, "payments/admin/statement.html", context)
