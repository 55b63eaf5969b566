"""Customer-facing payment pages (the VietQR image, paying an order by card) and Stripe's webhook.

Pages about one order are reached by the order's signed link (Oscar's verification hash), the
same one guests get by email: a wrong or foreign link is a 404 that shows nothing of the order.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oscar.core.loading import get_model

from shop.order import actions
from shop.order.emails import status_path
from shop.order.statuses import AWAITING_TRANSFER, VIETQR

from . import card, stripe_api, transfer

Order = get_model("order", "Order")


def order_from_link(number, signed):
    order = Order.objects.filter(number=number).first()
    if order is None or not order.check_verification_hash(signed):
        raise Http404(_("No order matches this link."))
    return order


@never_cache
@require_GET
def order_status(request, number, signed):
    """A guest's order page: the signed link is the key (guests may have given only a phone)."""
    order = order_from_link(number, signed)
    return TemplateResponse(request, "oscar/customer/anon_order.html", {"order": order})


@require_GET
def vietqr_image(request, number, signed):
    order = order_from_link(number, signed)
    if order.payment_method != VIETQR or order.status != AWAITING_TRANSFER:
        raise Http404(_("This order is not waiting for a bank transfer."))
    response = HttpResponse(transfer.order_qr_png(order), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="vietqr-{order.number}.png"'
    return response


@require_POST
def pay_by_card(request, number, signed):
    order = order_from_link(number, signed)
    # The way back is in the order's language, whichever language the page was in: a second
    # press must send Stripe the very same request (one idempotency key, one Checkout Session).
    # `card.start` words the payment in the order's language for the same reason.
    with translation.override(order.language or settings.LANGUAGE_CODE):
        back = reverse("payments:card-return", args=[order.number, signed])
    try:
        session = card.start(
            order,
            success_url=settings.SITE_URL + back + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=settings.SITE_URL + back + "?cancelled=1",
        )
    except actions.ActionRefused as refused:
        messages.info(request, str(refused))
        return redirect(status_path(order))
    except (stripe_api.StripeUnavailable, stripe_api.StripeRequestFailed):
        messages.error(
            request,
            _("Card payments are not reachable right now. Your order is kept; please try again."),
        )
        return redirect(status_path(order))
    response = HttpResponseRedirect(session.url)
    response.status_code = 303  # after a POST, the payment page is fetched with GET
    return response


@never_cache
@require_GET
def card_return(request, number, signed):
    order = order_from_link(number, signed)
    session_id = request.GET.get("session_id", "")
    if session_id.startswith("cs_") and not request.GET.get("cancelled"):
        try:
            card.check_session(session_id)
        except (stripe_api.StripeUnavailable, stripe_api.StripeRequestFailed):
            pass  # the webhook will confirm it
        order.refresh_from_db()
    if order.paid_at:
        messages.success(request, _("Thank you: your card payment was received."))
    elif request.GET.get("cancelled"):
        messages.info(request, _("The card payment was not completed. You can try again."))
    else:
        messages.info(request, _("We are waiting for the card company to confirm your payment."))
    return redirect(status_path(order))


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not stripe_api.is_configured():
        return HttpResponseBadRequest("card payments are not configured")
    try:
        outcome = card.handle_webhook(request.body, request.headers.get("Stripe-Signature"))
    except stripe_api.InvalidWebhook:
        return HttpResponseBadRequest("invalid signature")
    return HttpResponse(outcome, content_type="text/plain")
