from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shop import payments, services


class Command(BaseCommand):
    help = (
        "Compare recent Stripe Checkout Sessions with orders: paid sessions whose order is not "
        "paid, and paid orders Stripe has no paid session for. --fix applies the missing payments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Mark paid what Stripe says is paid."
        )
        parser.add_argument(
            "--days", type=int, default=settings.SHOP_RECONCILE_DAYS, help="How far back to look."
        )

    def handle(self, *args, fix, days, **options):
        if payments.is_offline():
            raise CommandError("STRIPE_SECRET_KEY is not set: nothing to reconcile against.")
        since = timezone.now() - timedelta(days=days)
        try:
            report = services.reconcile_with_stripe(since=since, fix=fix)
        except payments.PaymentProviderError as error:
            raise CommandError(f"Stripe did not answer: {error}") from error
        for session_id, order in report["paid_sessions_without_paid_order"]:
            label = order.number if order else "no order"
            self.stdout.write(f"paid session {session_id}: {label}{' (fixed)' if fix else ''}")
        for order in report["paid_orders_without_session"]:
            self.stdout.write(
                f"paid order {order.number}: Stripe has no paid session {order.stripe_session_id}"
            )
        problems = len(report["paid_sessions_without_paid_order"]) + len(
            report["paid_orders_without_session"]
        )
        self.stdout.write(f"{problems} differences found.")
