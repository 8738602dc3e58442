from django.core.management.base import BaseCommand

from shop import services


class Command(BaseCommand):
    help = (
        "Give back the copies of checkouts that ran out, then retry confirmation emails and late "
        "refunds a failure left undone. Safe to run twice and concurrently; run it every minute."
    )

    def handle(self, *args, **options):
        released = services.expire_reservations()
        retried = services.retry_pending_effects()
        self.stdout.write(
            f"{released} expired checkouts released; {retried} delayed effects retried."
        )
