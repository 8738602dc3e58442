"""Throttle the admin login: repeated failures lock the account name and the address out for a while."""

import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import render

from ratings.voters import client_address

logger = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


def _keys(request):
    address = client_address(request)
    username = request.POST.get("username", "")[:150].strip().lower()
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{address}|{username}".encode(), hashlib.sha256
    )
    by_address = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return [
        f"admin-login:{digest.hexdigest()[:32]}",
        f"admin-login-ip:{by_address.hexdigest()[:32]}",
    ]


def throttled(login_view):
    """Wrap AdminSite.login: after MAX_FAILURES failed posts, refuse further tries for a while."""

    def login(request, extra_context=None):
        if request.method != "POST":
            return login_view(request, extra_context)
        keys = _keys(request)
        pair_key, address_key = keys
        if cache.get(pair_key, 0) >= MAX_FAILURES or cache.get(address_key, 0) >= MAX_FAILURES * 4:
            logger.warning("admin login locked out", extra={"event": "admin_login_locked"})
            messages.error(request, "Too many failed sign-in attempts. Try again in 15 minutes.")
            response = render(request, "admin/login_locked.html", status=429)
            response["Retry-After"] = str(LOCKOUT_SECONDS)
            return response
        response = login_view(request, extra_context)
        if request.user.is_authenticated:
            cache.delete(pair_key)
        else:
            for key in keys:
                cache.add(key, 0, LOCKOUT_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, LOCKOUT_SECONDS)
        return response

    return login
