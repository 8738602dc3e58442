import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


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
