"""Scheduled payment jobs (Django Tasks API): expire unpaid orders, reconcile card payments."""

from django_tasks import task

from shop.order import actions

from . import card, stripe_api


@task()
def expire_unpaid_orders():
    return actions.expire_unpaid()


@task()
def reconcile_card_payments(days=7):
    if not stripe_api.is_configured():
        return {}
    return card.reconcile(days=days)
