"""The shopper's cart, kept in the session: pressing ids and quantities, never prices."""

from dataclasses import dataclass
from decimal import Decimal

from catalogue.models import Pressing

SESSION_KEY = "cart"
MAX_LINES = 30


@dataclass
class CartLine:
    pressing: Pressing
    quantity: int

    @property
    def price(self):
        return offer_of(self.pressing)[0]

    @property
    def stock(self):
        return offer_of(self.pressing)[1]

    @property
    def unit_price(self):
        return self.price.amount if self.price else None

    @property
    def line_total(self):
        return self.unit_price * self.quantity if self.price else None

    @property
    def on_sale(self):
        return is_on_sale(self.pressing)


def offer_of(pressing):
    """(price, stock) of a pressing, either of them None; no query when the caller joined them."""
    found = []
    for name in ("shop_price", "shop_stock"):
        try:
            found.append(getattr(pressing, name))
        except Pressing._meta.get_field(name).related_model.DoesNotExist:
            found.append(None)
    return tuple(found)


def is_on_sale(pressing):
    price, stock = offer_of(pressing)
    return (
        price is not None
        and stock is not None
        and pressing.availability != Pressing.Availability.OUT_OF_PRINT
    )


class Cart:
    def __init__(self, session):
        self.session = session

    def quantities(self):
        """{pressing id: quantity}, ignoring anything malformed a stale session might hold."""
        raw = self.session.get(SESSION_KEY)
        if not isinstance(raw, dict):
            return {}
        clean = {}
        for key, value in raw.items():
            if str(key).isdigit() and isinstance(value, int) and value > 0:
                clean[int(key)] = value
        return clean

    def quantity_of(self, pressing_id):
        return self.quantities().get(pressing_id, 0)

    def set(self, pressing_id, quantity):
        quantities = self.quantities()
        if quantity > 0:
            quantities[pressing_id] = quantity
        else:
            quantities.pop(pressing_id, None)
        self._save(quantities)

    def remove(self, pressing_id):
        self.set(pressing_id, 0)

    def clear(self):
        self._save({})

    def _save(self, quantities):
        self.session[SESSION_KEY] = {str(k): v for k, v in quantities.items()}
        self.session.modified = True

    @property
    def count(self):
        return sum(self.quantities().values())

    def __len__(self):
        return len(self.quantities())

    def lines(self):
        """The cart's lines with their pressings, prices and stock, in one query."""
        quantities = self.quantities()
        if not quantities:
            return []
        pressings = Pressing.objects.filter(pk__in=quantities).select_related(
            "release", "label", "shop_price", "shop_stock"
        )
        return [CartLine(p, quantities[p.pk]) for p in sorted(pressings, key=lambda p: p.pk)]

    @staticmethod
    def subtotal(lines):
        return sum((line.line_total for line in lines if line.line_total), Decimal("0"))
