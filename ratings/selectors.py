"""The public, read-only face of ratings for other apps (the shop reads it; ratings imports no shop)."""


def price_feedback(release):
    """What readers say about the price of a release.

    Returns {"votes": int, "too_expensive_share": Decimal | None (0-100, one decimal),
    "median_would_pay": Decimal | None}.
    """
    raise NotImplementedError("ratings.selectors.price_feedback is built with the poll")
