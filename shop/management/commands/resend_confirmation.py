from django.core.management.base import BaseCommand, CommandError

from shop import services
from shop.models import Order


class Command(BaseCommand):
    help = "Send an order's payment confirmation email again, e.g. ND-7K4M-2Q."

    def add_arguments(self, parser):
        parser.add_argument("order", help="The order number.")

    def handle(self, *args, order, **options):
        found = Order.objects.filter(number=order.strip().upper()).first()
        if found is None:
            raise CommandError(f"No order {order}.")
        if not found.is_paid:
            raise CommandError(f"Order {found.number} is {found.get_status_display().lower()}.")
        if not found.email:
            raise CommandError(f"Order {found.number} has no email address.")
        services.resend_confirmation(order=found)
        self.stdout.write(f"Confirmation for {found.number} sent to {found.email}.")
