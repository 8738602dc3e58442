"""The per-voter rate limit, counted in the shared cache."""

from django.conf import settings
from django.core.cache import cache

VOTER_WINDOW_SECONDS = 60 * 60


def voter_within_rate(voter_key):
    """Count one poll action for the voter; False once they pass POLL_RATE_PER_VOTER this hour.

    This limit only sheds load (a voter's repeated actions never add votes, the unique constraint
    sees to that), so the cache's atomic add/incr is enough: exact in Redis and in local memory,
    and it costs no database write. The per-address limit, which bounds new votes, is exact in
    the database instead (ratings.services.cast_vote).
    """
    key = f"ratings:voter-rate:{voter_key}"
    cache.add(key, 0, VOTER_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, VOTER_WINDOW_SECONDS)
        count = 1
    return count <= settings.POLL_RATE_PER_VOTER
