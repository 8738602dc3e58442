from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse

from ratings.selectors import price_feedback
from shop import services
from shop.forms import RefundForm, ShipForm
from shop.models import (
    NotifyRequest,
    Order,
    OrderLine,
    OrderStatusChange,
    Price,
    ShippingRate,
    ShopPressing,
    Stock,
    StripeEvent,
)
from shop.money import format_money


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["release_title", "pressing_description", "sku", "unit_price", "quantity", "preorder"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "note", "by"]
    readonly_fields = fields
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False


def _intermediate(modeladmin, request, queryset, *, form_class, title, action, apply):
    """An admin action that asks for details first (carrier, amount) and then applies them."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        for order in queryset:
            try:
                apply(order, form.cleaned_data)
            except services.OrderActionError as error:
                modeladmin.message_user(request, str(error), messages.ERROR)
            else:
                modeladmin.message_user(request, f"{order.number}: done.", messages.SUCCESS)
        return None
    return TemplateResponse(
        request,
        "shop/admin/order_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "orders": queryset,
            "form": form,
            "action": action,
            "opts": modeladmin.model._meta,
        },
    )


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "email", "status", "total_display", "created_at", "paid_at"]
    list_filter = ["status", "created_at", "paid_at"]
    search_fields = ["number", "email", "shipping_name", "lines__sku", "stripe_session_id"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderStatusChangeInline]
    actions = ["mark_shipped", "refund"]
    readonly_fields = [
        "number",
        "status",
        "stock_state",
        "currency",
        "subtotal",
        "shipping",
        "total",
        "amount_refunded",
        "shipping_rate_name",
        "address",
        "carrier",
        "tracking_number",
        "stripe_session_id",
        "stripe_payment_intent",
        "created_at",
        "expires_at",
        "paid_at",
        "shipped_at",
        "confirmation_sent_at",
        "shipping_notice_sent_at",
        "late_refund_requested_at",
    ]
    fields = ["email", "shipping_name", *readonly_fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="total", ordering="total")
    def total_display(self, order):
        return format_money(order.total, order.currency)

    @admin.display(description="shipping address")
    def address(self, order):
        return ", ".join(order.shipping_address_lines[1:]) or "—"

    @admin.action(description="Mark shipped (carrier and tracking number)…")
    def mark_shipped(self, request, queryset):
        return _intermediate(
            self,
            request,
            queryset,
            form_class=ShipForm,
            title="Mark orders shipped",
            action="mark_shipped",
            apply=lambda order, data: services.mark_shipped(order=order, by=request.user, **data),
        )

    @admin.action(description="Refund through Stripe (all or part)…")
    def refund(self, request, queryset):
        return _intermediate(
            self,
            request,
            queryset,
            form_class=RefundForm,
            title="Refund orders",
            action="refund",
            apply=lambda order, data: services.refund_order(
                order=order, amount=data["amount"], by=request.user
            ),
        )


class PriceInline(admin.StackedInline):
    model = Price
    can_delete = False
    fields = ["amount", "compare_at"]


class StockForm(forms.ModelForm):
    class Meta:
        model = Stock
        fields = [
            "on_hand",
            "preorder_allocation",
            "low_stock_threshold",
            "per_order_limit",
            "per_customer_limit",
        ]

    def clean(self):
        cleaned = super().clean()
        reserved = self.instance.reserved if self.instance.pk else 0
        if cleaned.get("on_hand") is not None and reserved > max(
            cleaned["on_hand"], cleaned.get("preorder_allocation") or 0
        ):
            raise forms.ValidationError(
                f"{reserved} copies are held by checkouts in progress; keep at least that many."
            )
        return cleaned


class StockInline(admin.StackedInline):
    model = Stock
    form = StockForm
    can_delete = False
    readonly_fields = ["reserved"]


@admin.register(ShopPressing)
class ShopPressingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sku", "price", "on_hand", "reserved", "waiting"]
    list_select_related = ["release", "shop_price", "shop_stock"]
    search_fields = ["sku", "release__title", "catalogue_number"]
    list_filter = ["format"]
    fields = ["release", "sku", "description_display", "release_date", "readers_on_price"]
    readonly_fields = fields
    inlines = [PriceInline, StockInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                waiting_count=Count(
                    "notify_requests",
                    filter=Q(
                        notify_requests__confirmed_at__isnull=False,
                        notify_requests__unsubscribed_at__isnull=True,
                        notify_requests__notified_at__isnull=True,
                    ),
                )
            )
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="description")
    def description_display(self, pressing):
        return pressing.description

    @admin.display(description="price", ordering="shop_price__amount")
    def price(self, pressing):
        price = getattr(pressing, "shop_price", None)
        return format_money(price.amount) if price else "—"

    @admin.display(description="on hand", ordering="shop_stock__on_hand")
    def on_hand(self, pressing):
        stock = getattr(pressing, "shop_stock", None)
        return stock.on_hand if stock else "—"

    @admin.display(description="reserved")
    def reserved(self, pressing):
        stock = getattr(pressing, "shop_stock", None)
        return stock.reserved if stock else "—"

    @admin.display(description="waiting to hear", ordering="waiting_count")
    def waiting(self, pressing):
        # Confirmed notify-me sign-ups: how many would buy a repress.
        return pressing.waiting_count

    @admin.display(description="what readers say about the price")
    def readers_on_price(self, pressing):
        feedback = price_feedback(pressing.release)
        if not feedback["votes"]:
            return "No votes yet."
        share = feedback["too_expensive_share"]
        median = feedback["median_would_pay"]
        parts = [f"{feedback['votes']} votes"]
        if share is not None:
            parts.append(f"{share}% say too expensive")
        if median is not None:
            parts.append(f"median would pay {format_money(median)}")
        return "; ".join(parts)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Stock:
            return super().save_formset(request, form, formset, change)
        # Stock changes go through the service: it locks the row and emails the waiting list
        # when a sold-out pressing comes back.
        for stock_form in formset.forms:
            if not stock_form.has_changed() and stock_form.instance.pk:
                continue
            data = dict(stock_form.cleaned_data)
            services.set_stock(
                pressing=form.instance,
                on_hand=data["on_hand"],
                preorder_allocation=data["preorder_allocation"],
                low_stock_threshold=data["low_stock_threshold"],
                per_order_limit=data["per_order_limit"],
                per_customer_limit=data["per_customer_limit"],
            )
        # What the admin's change message reads from a formset it saved itself.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None


@admin.register(ShippingRate)
class ShippingRateAdmin(admin.ModelAdmin):
    list_display = ["name", "zone", "countries", "amount", "active", "order"]
    list_editable = ["active", "order"]


@admin.register(NotifyRequest)
class NotifyRequestAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "pressing",
        "created_at",
        "confirmed_at",
        "notified_at",
        "unsubscribed_at",
    ]
    list_filter = ["confirmed_at", "notified_at"]
    search_fields = ["email", "pressing__sku", "pressing__release__title"]
    list_select_related = ["pressing__release"]
    raw_id_fields = ["pressing"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "order", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "order__number"]
    readonly_fields = ["event_id", "type", "order", "received_at"]

    def has_add_permission(self, request):
        return False
