import sys
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shop import payments
from shop.models import Order, OrderLine, ShippingRate


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = JsonResponse({"database": "unavailable"}, status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"database": "ok"})


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """Django's last resort. A database outage met outside a view is still a 503, not a 500."""
    # No context processors or database: these pages must render when everything else fails.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return HttpResponse(render_to_string("500.html"), status=500)


def database_unavailable(request):
    # Rendered without the request, so no context processor runs: the cart count reads the
    # session, and with the database gone that raised again inside the error page (a 500).
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


def ceiling(request):
    """The benchmark's yardstick: a small template and nothing else (mounted only for benchmarks)."""
    return render(request, "bench_ceiling.html", {"items": range(10)})


@require_POST
def checkout_floor(request):
    """What every start of a checkout pays before any of the shop's own work: a form post through
    the middleware (CSRF included) and one Checkout Session opened through the stripe library,
    answered with the redirect to it. No database (mounted only for benchmarks): its throughput
    bounds what the real checkout can reach (docs/performance.md). Only against a test key:
    with a live one (or none) it is not there."""
    if payments.is_offline() or settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_")):
        raise Http404("The checkout floor opens test sessions only.")
    now = timezone.now()
    order = Order(number="ND-FLOO-R1", currency=settings.CURRENCY, expires_at=now)
    order.pk = 1
    line = OrderLine(
        release_title="Drive",
        pressing_description="Hot pink 2LP",
        sku="FLOOR-1",
        unit_price=Decimal("28.60"),
        quantity=1,
    )
    rate = ShippingRate(pk=1, name="UK", amount=Decimal("4.00"), countries="GB")
    session = payments.create_checkout_session(
        order=order,
        lines=[line],
        shipping_rates=[rate],
        success_url=f"{settings.SITE_URL}/checkout/success/",
        cancel_url=f"{settings.SITE_URL}/checkout/cancel/",
        expires_at=now + timedelta(minutes=31),
        customer_email=request.POST.get("email") or None,
    )
    return redirect(session["url"])
