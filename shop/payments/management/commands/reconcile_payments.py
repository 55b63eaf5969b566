from django.core.management.base import BaseCommand, CommandError

from shop.payments import card, stripe_api


class Command(BaseCommand):
    help = (
        "Ask Stripe about card payments of unpaid orders and record or refund each one that "
        "succeeded (for webhooks that never arrived or failed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="look back this many days")

    def handle(self, *args, **options):
        if not stripe_api.is_configured():
            raise CommandError(
                "Stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)"
            )
        results = card.reconcile(days=options["days"])
        for session_id, outcome in results.items():
            self.stdout.write(f"{session_id}: {outcome}")
        self.stdout.write(f"{len(results)} unpaid card session(s) checked")
