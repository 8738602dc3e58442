"""Only the Stripe webhook may skip CSRF protection."""

from django.urls import URLPattern, URLResolver, get_resolver

ALLOWED_EXEMPT = {"shop:stripe-webhook"}


def walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern.callback


def test_only_the_webhook_is_csrf_exempt():
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 20  # the walk really reaches the apps' and the admin's patterns
    exempt = {name for name, view in routes if getattr(view, "csrf_exempt", False)}
    assert exempt <= ALLOWED_EXEMPT
