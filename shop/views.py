import logging
import re

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.models import Pressing
from ratings.voters import request_address_hash
from shop import payments, services
from shop.cart import Cart
from shop.forms import (
    AddToCartForm,
    CheckoutForm,
    NotifyForm,
    RemoveFromCartForm,
    TestPaymentForm,
    UpdateCartForm,
)
from shop.models import NotifyRequest, Order

log = logging.getLogger(__name__)

SESSION_ORDERS = "shop_orders"
ORDER_NUMBER_RE = re.compile(r"[A-Za-z0-9-]{1,20}")


def _remember_order(request, order):
    numbers = [n for n in request.session.get(SESSION_ORDERS, []) if n != order.number]
    request.session[SESSION_ORDERS] = [*numbers, order.number][-10:]


def _order_for_request(request, number, key):
    """The order, if the visitor has its key or started it in this session; 404 otherwise."""
    # Anything but letters, digits and dashes (a NUL byte, say) is no order number, and
    # PostgreSQL could not even compare it.
    valid = isinstance(number, str) and ORDER_NUMBER_RE.fullmatch(number)
    order = Order.objects.filter(number=number).first() if valid else None
    if order is None:
        raise Http404("No such order.")
    if order.check_access_key(key) or number in request.session.get(SESSION_ORDERS, []):
        return order
    raise Http404("No such order.")


def _next_url(request, default="shop:cart"):
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would read any other string as a view name.
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


@never_cache
@require_GET
def cart_detail(request, errors=None, status=200):
    cart = Cart(request.session)
    lines = cart.lines()
    needs_email = any(line.stock and line.stock.per_customer_limit for line in lines)
    return render(
        request,
        "shop/cart_detail.html",
        {
            "lines": lines,
            "subtotal": Cart.subtotal(lines),
            "checkout_form": CheckoutForm(),
            "needs_email": needs_email,
            "errors": errors or [],
            "test_checkout": payments.is_offline(),
        },
        status=status,
    )


def _refuse(request, form):
    """Tampered or malformed posts: 400 with the reasons, and the cart as it was."""
    errors = [str(e) for errs in form.errors.values() for e in errs]
    log.info("cart post refused: %s", "; ".join(errors)[:200])
    request.method = "GET"
    return cart_detail(request, errors=errors, status=400)


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        return _refuse(request, form)
    pressing = services.pressing_for_cart(form.cleaned_data["pressing"])
    if pressing is None:
        form.add_error(None, "That pressing does not exist.")
        return _refuse(request, form)
    try:
        services.add_to_cart(
            cart=Cart(request.session), pressing=pressing, quantity=form.cleaned_data["quantity"]
        )
    except services.CartError as error:
        messages.error(request, str(error))
        return redirect(_next_url(request, pressing.get_absolute_url()))
    messages.success(request, f"Added {pressing.release.title} ({pressing.description}).")
    return redirect(_next_url(request))


@require_POST
def cart_update(request):
    form = UpdateCartForm(request.POST)
    if not form.is_valid():
        return _refuse(request, form)
    cart = Cart(request.session)
    pressing = services.pressing_for_cart(form.cleaned_data["pressing"])
    if pressing is None or pressing.pk not in cart.quantities():
        form.add_error(None, "That pressing is not in your cart.")
        return _refuse(request, form)
    try:
        services.change_cart_quantity(
            cart=cart, pressing=pressing, quantity=form.cleaned_data["quantity"]
        )
    except services.CartError as error:
        messages.error(request, str(error))
    return redirect("shop:cart")


@require_POST
def cart_remove(request):
    form = RemoveFromCartForm(request.POST)
    if not form.is_valid():
        return _refuse(request, form)
    services.remove_from_cart(cart=Cart(request.session), pressing_id=form.cleaned_data["pressing"])
    return redirect("shop:cart")


@require_POST
def checkout(request):
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _refuse(request, form)
    if payments.is_offline() and not settings.SHOP_TEST_CHECKOUT:
        return _payment_unavailable(request)
    try:
        start = services.start_checkout(
            cart=Cart(request.session),
            email=form.cleaned_data["email"],
            address_hash=request_address_hash(request),
        )
    except services.CheckoutError as error:
        messages.error(request, str(error))
        return redirect("shop:cart")
    except services.PaymentProviderUnavailable:
        return _payment_unavailable(request)
    # The session is not written here: the addresses the shopper comes back to from payment
    # carry the order's key, and those pages remember the order (docs/performance.md).
    return redirect(start.redirect_url)


def _payment_unavailable(request):
    response = render(request, "shop/payment_unavailable.html", status=503)
    response["Retry-After"] = "30"
    return response


@never_cache
@require_GET
def order_detail(request, number):
    order = _order_for_request(request, number, request.GET.get("key"))
    return render(
        request,
        "shop/order_detail.html",
        {"order": order, "lines": list(order.lines.all()), "history": list(order.history.all())},
    )


@never_cache
@require_GET
def checkout_success(request):
    order = _order_for_request(request, request.GET.get("order"), request.GET.get("key"))
    _remember_order(request, order)
    if order.status in (Order.Status.PAID, Order.Status.AWAITING, Order.Status.SHIPPED):
        Cart(request.session).clear()
    return render(
        request, "shop/checkout_success.html", {"order": order, "lines": list(order.lines.all())}
    )


@never_cache
@require_GET
def checkout_cancel(request):
    # Stripe sends the shopper here with a GET; only their own pending order is touched.
    order = _order_for_request(request, request.GET.get("order"), request.GET.get("key"))
    services.cancel_checkout(order=order)
    messages.info(request, "Checkout cancelled. Your cart is just as you left it.")
    return redirect("shop:cart")


@never_cache
@require_http_methods(["GET", "POST"])
def test_checkout(request, number):
    if not (payments.is_offline() and settings.SHOP_TEST_CHECKOUT):
        raise Http404("The test checkout is off.")
    key = request.GET.get("key") or request.POST.get("key")
    order = _order_for_request(request, number, key)
    form = TestPaymentForm(initial={"email": order.email or "buyer@example.com"})
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            services.cancel_test_checkout(order=order)
            messages.info(request, "Test checkout cancelled. Your cart is just as you left it.")
            return redirect("shop:cart")
        form = TestPaymentForm(request.POST)
        form.allowed_extra = {*form.allowed_extra, "key"}
        if form.is_valid() and order.status == Order.Status.PENDING:
            data = form.cleaned_data
            services.pay_test_checkout(
                order=order,
                email=data["email"],
                name=data["name"],
                address={
                    "line1": data["line1"],
                    "line2": None,
                    "city": data["city"],
                    "postal_code": data["postal_code"],
                    "state": None,
                    "country": data["country"],
                },
                shipping_rate=data["shipping_rate"],
            )
            order.refresh_from_db()
            _remember_order(request, order)  # as checkout_success does after Stripe
            if order.is_paid:
                Cart(request.session).clear()
            return redirect(order)
        if form.is_valid():
            messages.error(request, f"Order {order.number} is no longer waiting for payment.")
            return redirect(order)
    return render(
        request,
        "shop/test_checkout.html",
        {
            "order": order,
            "lines": list(order.lines.all()),
            "form": form,
            "key": key or order.access_key,
            "rates": services.active_shipping_rates(),
        },
        status=400 if form.is_bound else 200,
    )


@csrf_exempt  # Stripe cannot send a CSRF token; the signature check below takes its place.
@require_POST
def stripe_webhook(request):
    try:
        result = services.handle_stripe_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except payments.InvalidWebhook as error:
        log.warning("stripe webhook refused: %s", str(error)[:120])
        return JsonResponse({"error": "invalid signature"}, status=400)
    except DatabaseError:
        # Not stored, so not acknowledged: Stripe delivers it again.
        log.exception("stripe webhook could not be stored")
        response = JsonResponse({"error": "unavailable"}, status=503)
        response["Retry-After"] = "10"
        return response
    return JsonResponse({"status": result})


@require_POST
def notify_signup(request):
    form = NotifyForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        return redirect(_next_url(request, "catalogue:release-list"))
    pressing = get_object_or_404(
        Pressing.objects.select_related("release"), pk=form.cleaned_data["pressing"]
    )
    email = form.cleaned_data["email"]
    outcome = services.request_notify(email=email, pressing=pressing)
    if outcome == "sent":
        messages.success(request, f"Nearly done: we sent a link to {email}. Click it to confirm.")
    elif outcome == "confirmed":
        messages.info(request, f"{email} is already on the list: we will write when it is back.")
    else:
        messages.info(
            request,
            f"We sent a link to {email} a few minutes ago: click it to confirm (look in the "
            "spam folder too). We send it again after ten minutes.",
        )
    return redirect(_next_url(request, pressing.release.get_absolute_url()))


@require_http_methods(["GET", "POST"])
def notify_confirm(request, token):
    return _notify_action(request, token, services.confirm_notify, "confirmed")


@require_http_methods(["GET", "POST"])
def notify_unsubscribe(request, token):
    return _notify_action(request, token, services.unsubscribe_notify, "unsubscribed")


def _notify_action(request, token, action, done):
    # Mail scanners follow links: the GET only shows a button, the POST acts.
    notify = get_object_or_404(
        NotifyRequest.objects.select_related("pressing__release"), token=token
    )
    if request.method == "POST":
        notify = action(token=token)
        return render(request, "shop/notify_done.html", {"notify": notify, "done": done})
    return render(request, "shop/notify_action.html", {"notify": notify, "action": done})
