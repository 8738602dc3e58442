from shop.cart import Cart


def cart(request):
    """The number of items in the shopper's cart, for the header (from the session, no query)."""
    session = getattr(request, "session", None)
    return {"cart_count": Cart(session).count if session is not None else 0}
