"""A customer's order line in their account ("buy this again"), answered without errors.

Oscar's view takes a POST (the reorder action). A GET looked for a template that does not exist
and a line id that is not on the order raised DoesNotExist: both were 500s. Mounted before
Oscar's own URL in config/urls.py.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from oscar.core.loading import get_class

OscarOrderLineView = get_class("customer.views", "OrderLineView")


class OrderLineView(OscarOrderLineView):
    http_method_names = ["post"]  # anything else: 405

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except ObjectDoesNotExist:
            raise Http404 from None
