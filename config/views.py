from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
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
    # No context processors or database: this page must render when everything else fails.
    return render(request, "500.html", status=500)


def ceiling(request):
    """The benchmark's yardstick: a small template and nothing else (mounted only for benchmarks)."""
    return render(request, "bench_ceiling.html", {"items": range(10)})
