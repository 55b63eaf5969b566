"""Oscar's order dashboard without its ways round the order rules.

Oscar's order pages let staff change an order's or a line's status, add payment and shipping
events and delete any note, the system's included. Here an order's stage and money change only
through `shop.order.actions` (the order pages of the Wagtail admin), which move stock and write
who did what in the order's notes; the dashboard shows orders and takes staff's own notes, and a
note written by the system (the order's history) stays.
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from oscar.apps.dashboard.orders import views
from oscar.core.loading import get_model

OrderNote = get_model("order", "OrderNote")


class OrderListView(views.OrderListView):
    actions = ("download_selected_orders",)


class OrderDetailView(views.OrderDetailView):
    order_actions = ("save_note", "delete_note")
    line_actions = ()

    def delete_note(self, request, order):
        note = order.notes.filter(id=request.POST.get("note_id") or None).first()
        if note is None or note.note_type == OrderNote.SYSTEM or note.user_id != request.user.pk:
            messages.error(request, _("Note cannot be deleted"))
            return self.reload_page()
        return super().delete_note(request, order)
