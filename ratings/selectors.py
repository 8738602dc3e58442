"""The public, read-only face of ratings for other apps (the shop reads it; ratings imports no shop)."""


def price_feedback(release):
    """What readers say about the price of a release.

    Returns {"votes": int, "too_expensive_share": Decimal | None (0-100, one decimal),
    "median_would_pay": Decimal | None}.
    """
    # Placeholder until the poll's Vote model lands: reports "no votes yet".
    return {"votes": 0, "too_expensive_share": None, "median_would_pay": None}
