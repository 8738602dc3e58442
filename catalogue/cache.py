"""Cache generations: what a cached page depends on, and how a change makes it stale at once.

A cached page's key carries the current generation of every scope it shows ("catalogue",
"reviews", "shop", "shop:release:<slug>"). A change bumps its scopes, so every key built before it
stops matching: no list of keys to delete, and nothing stale is ever served.
"""

import time

from django.core.cache import cache

PREFIX = "generation:"


def generations(*scopes):
    """The current generation of each scope, in one cache round trip."""
    keys = [PREFIX + scope for scope in scopes]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return "-".join(str(found[key]) for key in keys)


def bump(*scopes):
    """Start a new generation of each scope: pages cached before now are stale."""
    cache.set_many({PREFIX + scope: time.time_ns() for scope in scopes}, timeout=None)
