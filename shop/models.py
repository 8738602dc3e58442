"""The shop: what a pressing costs, how many copies there are, and the orders that buy them."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Pressing
from shop.money import format_money

MONEY = {"max_digits": 10, "decimal_places": 2}

# Order numbers are read out on the phone: no 0/O, 1/I/L, U/V, 5/S or 2/Z pairs to confuse.
ORDER_NUMBER_ALPHABET = "346789ABCDEFGHJKMNPQRTWXY"


def new_order_number():
    """A number like "ND-7K4M-2Q": 6 characters from a 25-letter alphabet, ~244 million values."""
    chars = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(6))
    return f"ND-{chars[:4]}-{chars[4:]}"


class Price(models.Model):
    pressing = models.OneToOneField(Pressing, on_delete=models.CASCADE, related_name="shop_price")
    amount = models.DecimalField(
        **MONEY,
        validators=[MinValueValidator(Decimal("0.50"))],
        help_text="What a copy costs, in the store currency, e.g. 28.60. Shoppers always pay this price.",
    )
    compare_at = models.DecimalField(
        "was",
        **MONEY,
        null=True,
        blank=True,
        help_text="For a sale: the former price, shown struck through. Must be higher than the price. Blank for none.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="price_amount_positive"),
            models.CheckConstraint(
                condition=Q(compare_at__isnull=True) | Q(compare_at__gt=F("amount")),
                name="price_compare_at_above_amount",
            ),
        ]
        # Index-only scans for "lowest price of a release" in the release list.
        indexes = [models.Index(fields=["pressing", "amount"], name="price_pressing_amount_idx")]

    def __str__(self):
        return format_money(self.amount)

    @property
    def on_sale(self):
        return self.compare_at is not None and self.compare_at > self.amount


class Stock(models.Model):
    pressing = models.OneToOneField(Pressing, on_delete=models.CASCADE, related_name="shop_stock")
    on_hand = models.PositiveIntegerField(
        default=0,
        help_text="Copies on the shelf, including those held by checkouts in progress. Raising it "
        "from nothing emails the people waiting for this pressing.",
    )
    reserved = models.PositiveIntegerField(
        default=0,
        help_text="Copies held by checkouts in progress. Set by the shop; paid orders take them off on hand.",
    )
    preorder_allocation = models.PositiveIntegerField(
        default=0,
        help_text="While the pressing's release date is in the future: copies that may be "
        "pre-ordered. Each paid pre-order takes one off. When the records arrive, set on hand "
        "to the copies left after the pre-orders are sent.",
    )
    low_stock_threshold = models.PositiveSmallIntegerField(
        default=5, help_text='Show "Only N left" at or below this many copies.'
    )
    per_order_limit = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="Most copies one order may hold.",
    )
    per_customer_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Most copies one email address may buy across all its orders (e.g. 1 for a "
        "numbered edition). Shoppers then give their email before paying. Blank for no limit.",
    )

    class Meta:
        verbose_name_plural = "stock"
        constraints = [
            # PositiveIntegerField already checks >= 0; named here so the rule is explicit.
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")) | Q(reserved__lte=F("preorder_allocation")),
                name="stock_reserved_within_pool",
            ),
            models.CheckConstraint(
                condition=Q(per_order_limit__gte=1), name="stock_per_order_limit_positive"
            ),
        ]

    def __str__(self):
        return f"{self.on_hand} on hand, {self.reserved} reserved"

    @property
    def is_preorder(self):
        return self.pressing.is_preorder

    @property
    def pool(self):
        """The copies this pressing sells from today: the pre-order allocation, or the shelf."""
        return self.preorder_allocation if self.is_preorder else self.on_hand

    @property
    def available(self):
        return max(self.pool - self.reserved, 0)

    @property
    def is_low(self):
        return 0 < self.available <= self.low_stock_threshold

    def max_per_order(self):
        return min(self.available, self.per_order_limit)


def in_stock_on(day, prefix=""):
    """Whether a release has a copy for sale on ``day``, from its stored ReleaseOffer row."""
    return Q(**{f"{prefix}shelf_from__lte": day}) | Q(**{f"{prefix}preorder_until__gt": day})


class ReleaseOffer(models.Model):
    """What the release list sorts and filters a release by, one row per release.

    Written only by database triggers (shop/migrations/0002_releaseoffer.py) on releases,
    pressings, prices and stock, so queryset updates and bulk inserts keep it right too. It
    stores dates rather than a yes/no, so it stays right as days pass: a release is in stock on
    a day when a pressing sells from the shelf from that day (``shelf_from``) or can still be
    pre-ordered (``preorder_until``, its release date, is after it).
    """

    release = models.OneToOneField(
        "catalogue.Release",
        on_delete=models.DO_NOTHING,  # the trigger on catalogue_release deletes the row
        primary_key=True,
        related_name="shop_offer",
    )
    price_from = models.DecimalField(**MONEY, null=True)
    shelf_from = models.DateField(null=True)
    preorder_until = models.DateField(null=True)

    class Meta:
        indexes = [
            # The price sort walks this in order; the in-stock filter reads the dates from it.
            models.Index(
                fields=["price_from", "release"],
                include=["shelf_from", "preorder_until"],
                name="releaseoffer_price_idx",
            ),
        ]

    def __str__(self):
        return f"from {self.price_from}" if self.price_from is not None else "no price"


class ShippingRateQuerySet(models.QuerySet):
    def active(self):
        """The rates a checkout offers."""
        return self.filter(active=True)


class ShippingRate(models.Model):
    name = models.CharField(
        max_length=100,
        help_text='Shown to the shopper in Stripe Checkout, e.g. "UK tracked (2–3 days)".',
    )
    zone = models.CharField(max_length=50, help_text='For staff, e.g. "Europe".')
    countries = models.CharField(
        max_length=500,
        help_text="Two-letter country codes this rate ships to, comma-separated, e.g. GB, IE.",
    )
    amount = models.DecimalField(
        **MONEY,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What shipping costs for the whole order.",
    )
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ShippingRateQuerySet.as_manager()

    class Meta:
        ordering = ["order", "amount", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="shipping_amount_not_negative")
        ]

    def __str__(self):
        return f"{self.name} ({format_money(self.amount)})"

    @property
    def country_codes(self):
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]


class OrderQuerySet(models.QuerySet):
    def counting_towards_limits(self):
        """Orders that hold or have taken copies: what a per-customer limit counts."""
        return self.filter(
            status__in=[
                Order.Status.PENDING,
                Order.Status.AWAITING,
                Order.Status.PAID,
                Order.Status.SHIPPED,
                Order.Status.PARTLY_REFUNDED,
            ]
        )

    def expired_reservations(self, now=None):
        return self.filter(
            stock_state=Order.StockState.RESERVED,
            status=Order.Status.PENDING,
            expires_at__lt=now or timezone.now(),
        )


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        AWAITING = "awaiting", "Awaiting payment"
        PAID = "paid", "Paid"
        SHIPPED = "shipped", "Shipped"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        PARTLY_REFUNDED = "partly_refunded", "Partly refunded"

    class StockState(models.TextChoices):
        RESERVED = "reserved", "Held for the checkout"
        TAKEN = "taken", "Taken from stock"
        RELEASED = "released", "Given back"

    number = models.CharField(max_length=12, unique=True, default=new_order_number, editable=False)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    stock_state = models.CharField(
        max_length=10, choices=StockState.choices, default=StockState.RESERVED, editable=False
    )
    currency = models.CharField(max_length=3, default="USD", editable=False)
    subtotal = models.DecimalField(**MONEY, default=Decimal("0"))
    shipping = models.DecimalField(**MONEY, default=Decimal("0"))
    total = models.DecimalField(**MONEY, default=Decimal("0"))
    amount_refunded = models.DecimalField(**MONEY, default=Decimal("0"))
    shipping_name = models.CharField(max_length=200, blank=True)
    shipping_address = models.JSONField(
        default=dict,
        blank=True,
        help_text="As Stripe collected it: line1, line2, city, postal_code, state, country.",
    )
    shipping_rate_name = models.CharField(max_length=100, blank=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_payment_intent = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # A keyed hash of the network the checkout came from (ratings.voters.address_hash), never
    # the address: it bounds the copies one network holds at once (SHOP_HOLDS_PER_ADDRESS).
    address_hash = models.CharField(max_length=64, blank=True, editable=False)
    expires_at = models.DateTimeField(help_text="When an unpaid checkout gives its copies back.")
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    shipping_notice_sent_at = models.DateTimeField(null=True, blank=True)
    late_refund_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when a payment arrived after the copies were gone and is being refunded.",
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="order_status_created_idx"),
            models.Index(fields=["stock_state", "expires_at"], name="order_stock_expiry_idx"),
            models.Index(fields=["email"], name="order_email_idx"),
            models.Index(
                fields=["address_hash", "expires_at"],
                condition=Q(stock_state="reserved"),
                name="order_held_address_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0), name="order_refund_not_negative"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return f"{reverse('shop:order-detail', args=[self.number])}?key={self.access_key}"

    @property
    def access_key(self):
        """A signature of the number: the order page opens only with it (or from the buyer's session)."""
        return signing.Signer(salt="shop.order").signature(self.number)

    def check_access_key(self, key):
        # Compared as bytes: compare_digest refuses str with non-ASCII characters.
        return bool(key) and secrets.compare_digest(str(key).encode(), self.access_key.encode())

    @property
    def is_paid(self):
        return self.status in {
            self.Status.PAID,
            self.Status.SHIPPED,
            self.Status.PARTLY_REFUNDED,
        }

    @property
    def refundable(self):
        return self.total - self.amount_refunded

    def display(self, field):
        return format_money(getattr(self, field), self.currency)

    @property
    def shipping_address_lines(self):
        address = self.shipping_address or {}
        lines = [self.shipping_name]
        lines += [address.get(k) for k in ("line1", "line2")]
        lines.append(" ".join(filter(None, [address.get("postal_code"), address.get("city")])))
        lines += [address.get("state"), address.get("country")]
        return [line for line in lines if line]


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    pressing = models.ForeignKey(
        Pressing, on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines"
    )
    # A snapshot of what was sold: later catalogue edits never change a past order.
    release_title = models.CharField(max_length=200)
    pressing_description = models.CharField(max_length=300)
    sku = models.CharField(max_length=40)
    unit_price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    preorder = models.BooleanField(
        default=False, help_text="Sold from the pre-order allocation rather than the shelf."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orderline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="orderline_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.release_title} ({self.sku})"

    @property
    def line_total(self):
        return self.unit_price * self.quantity


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class StripeEvent(models.Model):
    """Each Stripe event id once: the row is written in the transaction that applies the event."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="stripe_events"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class NotifyRequestQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(
            confirmed_at__isnull=False, unsubscribed_at__isnull=True, notified_at__isnull=True
        )


def new_token():
    return secrets.token_urlsafe(32)


class NotifyRequest(models.Model):
    email = models.EmailField()
    pressing = models.ForeignKey(Pressing, on_delete=models.CASCADE, related_name="notify_requests")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = NotifyRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "pressing"], name="one_notify_per_email_pressing"
            )
        ]
        indexes = [models.Index(fields=["pressing", "notified_at"], name="notify_waiting_idx")]

    def __str__(self):
        return f"{self.email} for {self.pressing_id}"


def normalise_email(email):
    """Emails are stored lower-case so a limit cannot be dodged by capital letters."""
    return (email or "").strip().lower()


def quantity_bought(*, email, pressing_ids, excluding=None):
    """Copies per pressing that an email address holds or has bought, across all its orders
    (but the order ``excluding``, the one being checked out)."""
    if not email:
        return {}
    orders = Order.objects.counting_towards_limits().filter(email=normalise_email(email))
    if excluding is not None:
        orders = orders.exclude(pk=excluding.pk)
    rows = (
        OrderLine.objects.filter(order__in=orders, pressing_id__in=pressing_ids)
        .values("pressing_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["pressing_id"]: row["quantity"] for row in rows}


class ShopPressing(Pressing):
    """The catalogue's pressing as shop staff see it: price, stock and who is waiting."""

    class Meta:
        proxy = True
        verbose_name = "pressing price and stock"
        verbose_name_plural = "pressing prices and stock"
