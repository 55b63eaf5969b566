from django.core.management.base import BaseCommand

from shop.order import actions


class Command(BaseCommand):
    help = "Cancel orders whose transfer or card payment did not arrive in time; release stock."

    def handle(self, *args, **options):
        count = actions.expire_unpaid()
        self.stdout.write(f"{count} unpaid order(s) expired")
