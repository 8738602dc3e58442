"""Money: Decimal amounts in the store currency, and the one conversion to Stripe's minor units."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

# ISO 4217 currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"}
    | {"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


def exponent(currency):
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def to_minor_units(amount, currency=None):
    """Decimal("28.60") -> 2860: the only place money becomes an integer for Stripe."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    places = exponent(currency or settings.CURRENCY)
    return int((amount * (10**places)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(minor, currency=None):
    """2860 -> Decimal("28.60"), for amounts Stripe reports."""
    places = exponent(currency or settings.CURRENCY)
    return (Decimal(int(minor)) / (10**places)).quantize(Decimal(1).scaleb(-places))


def format_money(amount, currency=None):
    """Decimal("28.6") -> "$28.60"; a code for currencies without a symbol: "28.60 CHF"."""
    if amount is None:
        return ""
    currency = (currency or settings.CURRENCY).upper()
    places = exponent(currency)
    quantized = Decimal(amount).quantize(Decimal(1).scaleb(-places))
    number = f"{quantized:,}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"
