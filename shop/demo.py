"""Demo prices, stock and shipping rates, added when `manage.py load_demo` loads the catalogue."""

from decimal import Decimal

from django.db import transaction

from catalogue.models import Pressing
from shop.models import Price, ShippingRate, Stock

# Known demo pressings by SKU: (price, compare-at, on hand, per-customer limit).
KNOWN = {
    "INV-DRIVE-2LP-BLK": (Decimal("28.60"), None, 140, None),
    # The hot-pink pressing is the limited drop: one per customer.
    "INV-DRIVE-2LP-PNK": (Decimal("28.60"), None, 25, 1),
    "LAKE-DRIVE-CD": (Decimal("11.99"), Decimal("14.99"), 60, None),
}
BY_FORMAT = {
    Pressing.Format.LP: Decimal("27.99"),
    Pressing.Format.LP2: Decimal("34.99"),
    Pressing.Format.LP3: Decimal("44.99"),
    Pressing.Format.TEN: Decimal("19.99"),
    Pressing.Format.SEVEN: Decimal("9.99"),
    Pressing.Format.CD: Decimal("12.99"),
    Pressing.Format.CASSETTE: Decimal("10.99"),
}
RATES = [
    ("United States, tracked", "US", "US", Decimal("6.50")),
    ("UK, tracked (2–3 days)", "UK", "GB", Decimal("8.00")),
    (
        "Europe, tracked",
        "Europe",
        "AT,BE,DE,DK,ES,FI,FR,IE,IT,NL,NO,PL,PT,SE,CH",
        Decimal("14.00"),
    ),
    ("Rest of the world, tracked", "World", "CA,AU,NZ,JP", Decimal("22.00")),
]


def _defaults_for(pressing, index):
    """Unknown pressings: a price by format and a spread of stock (a few sold out, a few low)."""
    price = BY_FORMAT.get(pressing.format)
    if price is None:
        return None
    if pressing.is_preorder:
        return price, None, 0, None, 150
    on_hand = 0 if index % 7 == 3 else 3 if index % 5 == 2 else 40
    return price, None, on_hand, None, 0


@transaction.atomic
def load_shop_demo(sender=None, stdout=None, **kwargs):
    """Give every demo pressing a price and stock, once; existing prices and stock are kept."""
    for order, (name, zone, countries, amount) in enumerate(RATES):
        ShippingRate.objects.get_or_create(
            name=name,
            defaults={"zone": zone, "countries": countries, "amount": amount, "order": order},
        )
    added = 0
    for index, pressing in enumerate(Pressing.objects.select_related("release").order_by("pk")):
        if pressing.sku in KNOWN:
            amount, compare_at, on_hand, limit = KNOWN[pressing.sku]
            allocation = on_hand if pressing.is_preorder else 0
        else:
            defaults = _defaults_for(pressing, index)
            if defaults is None:
                continue
            amount, compare_at, on_hand, limit, allocation = defaults
        _, created = Price.objects.get_or_create(
            pressing=pressing, defaults={"amount": amount, "compare_at": compare_at}
        )
        Stock.objects.get_or_create(
            pressing=pressing,
            defaults={
                "on_hand": on_hand,
                "preorder_allocation": allocation,
                "per_customer_limit": limit,
                "per_order_limit": limit or 10,
            },
        )
        added += created
    if stdout is not None:
        stdout.write(f"Shop: {added} pressings priced, {len(RATES)} shipping rates.")
