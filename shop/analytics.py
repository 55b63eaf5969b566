"""Oscar's analytics counters (product views, basket additions, purchases), made safe for two
requests that create the same counter row at the same moment.

Oscar's receivers (`oscar.apps.analytics.receivers`) count with an UPDATE and create the row when
there is none. When two requests create it at once, one gets an IntegrityError, which Oscar
catches without a savepoint: on PostgreSQL the request's transaction is then broken and the
visitor gets a server error (in the reliability battery, 3 of 20 guests adding a new product to
their baskets at the same moment got one). The create is done here inside a savepoint, so the
loser just adds to the row the other request made. Oscar's receivers call these helpers by
their module-level names, so replacing the two helpers fixes every receiver; forking the whole
analytics app (models and migrations included) for two functions would be far more code to keep.
"""

from django.db import IntegrityError, transaction
from django.db.models import F


def update_counter(model, field_name, filter_kwargs, increment=1):
    """Add `increment` to a counter, creating its row if needed (Oscar's `_update_counter`)."""
    record = model.objects.filter(**filter_kwargs)
    if record.update(**{field_name: F(field_name) + increment}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**filter_kwargs, **{field_name: increment})
    except IntegrityError:  # created by another request meanwhile: count on its row
        record.update(**{field_name: F(field_name) + increment})


def install():
    from oscar.apps.analytics import receivers

    record_user_order = receivers._record_user_order

    def record_user_order_in_a_savepoint(user, order):
        # Oscar swallows the IntegrityError of a customer's first two orders placed at once;
        # inside a savepoint that leaves the order's own transaction usable.
        with transaction.atomic():
            record_user_order(user, order)

    receivers._update_counter = update_counter
    receivers._record_user_order = record_user_order_in_a_savepoint
