"""Read-only questions about the shop, for templates, the release list and other apps."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, F
from django.db.models.functions import Coalesce
from django.utils import timezone

from shop.cart import is_on_sale, offer_of
from shop.models import NotifyRequest, Price, Stock, in_stock_on


@dataclass(frozen=True)
class Offer:
    """What the buy box shows for one pressing."""

    price: Price | None
    stock: Stock | None
    state: str  # "in_stock", "low", "preorder", "sold_out", "not_on_sale"
    label: str
    max_quantity: int

    @property
    def can_buy(self):
        return self.max_quantity > 0

    @property
    def wants_notify(self):
        return self.state in ("sold_out", "not_on_sale")


def offer_for(pressing):
    """Price and availability of a pressing; no query when the pressings went through catalogue.hooks.annotate_pressings()."""
    price, stock = offer_of(pressing)
    if not is_on_sale(pressing):
        return Offer(price, stock, "not_on_sale", "Not on sale yet", 0)
    available = stock.available
    if available == 0:
        return Offer(price, stock, "sold_out", "Sold out", 0)
    limit = min(available, stock.per_order_limit, stock.per_customer_limit or available)
    if pressing.is_preorder:
        ships = f"{pressing.release_date.day} {pressing.release_date:%B}"
        return Offer(price, stock, "preorder", f"Pre-order – ships {ships}", limit)
    if stock.is_low:
        return Offer(price, stock, "low", f"Only {available} left", limit)
    return Offer(price, stock, "in_stock", "In stock", limit)


def prefetch_for_pressings(queryset):
    """Join each pressing's price and stock, so buy boxes on a page run no queries."""
    return queryset.select_related("shop_price", "shop_stock")


def waiting_counts(pressing_ids):
    """{pressing id: confirmed notify-me sign-ups still waiting}: the repress signal."""
    rows = (
        NotifyRequest.objects.waiting()
        .filter(pressing_id__in=pressing_ids)
        .values("pressing_id")
        .annotate(n=Count("id"))
    )
    return {row["pressing_id"]: row["n"] for row in rows}


# --- The release list's hooks: annotation, filters and sort ---------------------------------


def _in_stock_today():
    return in_stock_on(timezone.localdate(), prefix="shop_offer__")


def annotate_releases(queryset):
    """shop_price_from (lowest price, or None) and shop_in_stock on every release in a list.

    Both read the release's ReleaseOffer row, which the database keeps up to date.
    """
    if "shop_price_from" in queryset.query.annotations:
        return queryset
    return queryset.annotate(
        shop_price_from=F("shop_offer__price_from"),
        shop_in_stock=Coalesce(
            ExpressionWrapper(_in_stock_today(), output_field=BooleanField()), False
        ),
    )


def _money(raw):
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value < 0 or value > Decimal("100000"):
        return None
    return value


def filter_in_stock(queryset, raw):
    if str(raw).lower() not in ("1", "on", "true", "yes"):
        return queryset
    return queryset.filter(_in_stock_today())


def filter_price_min(queryset, raw):
    value = _money(raw)
    if value is None:
        return queryset
    return queryset.filter(shop_offer__price_from__gte=value)


def filter_price_max(queryset, raw):
    value = _money(raw)
    if value is None:
        return queryset
    return queryset.filter(shop_offer__price_from__lte=value)


def sort_by_price(queryset):
    # Every release has a ReleaseOffer row, so an inner join loses none, and lets the database
    # walk releaseoffer_price_idx in order instead of sorting the whole catalogue.
    return queryset.filter(shop_offer__isnull=False).order_by(
        F("shop_offer__price_from").asc(nulls_last=True), "pk"
    )


# --- What the shop adds to catalogue pages -------------------------------------------------

SCHEMA_AVAILABILITY = {
    "in_stock": "https://schema.org/InStock",
    "low": "https://schema.org/LimitedAvailability",
    "preorder": "https://schema.org/PreOrder",
    "sold_out": "https://schema.org/SoldOut",
}


def add_offers_to_json_ld(release, data):
    """schema.org Offer for each pressing on sale, read from the prefetched price and stock."""
    for pressing, entry in zip(release.pressings.all(), data.get("albumRelease", []), strict=False):
        offer = offer_for(pressing)
        if offer.price is None or offer.state not in SCHEMA_AVAILABILITY:
            continue
        entry["offers"] = {
            "@type": "Offer",
            "price": str(offer.price.amount),
            "priceCurrency": settings.CURRENCY,
            "availability": SCHEMA_AVAILABILITY[offer.state],
            "url": entry.get("@id", ""),
        }
