"""A pressing's buy box (price, availability, add to cart or notify me), composed in Python.

It sits beside every pressing on the release page, the most requested page, and through the
template engine it was the page's costliest remaining tag (docs/performance.md). The markup is
the one shop/includes/buy_box.html had; every value goes through escaping.
"""

from django.urls import reverse

from catalogue.escaping import csrf_input, markup
from catalogue.escaping import escaped as esc
from shop.money import format_money


def _price(offer):
    if not offer.price:
        return ""
    was = ""
    if offer.price.on_sale:
        was = (
            '<s class="buy-box__was"><span class="visually-hidden">was </span>'
            f"{esc(format_money(offer.price.compare_at))}</s>"
        )
    return (
        '<p class="buy-box__price">\n'
        '    <span class="visually-hidden">Price </span>'
        f"<strong>{esc(format_money(offer.price.amount))}</strong>\n"
        f"    {was}\n"
        "  </p>"
    )


def _hidden(request, pressing, next_url):
    return (
        f"    {csrf_input(request)}\n"
        f'    <input type="hidden" name="pressing" value="{pressing.pk}">\n'
        f'    <input type="hidden" name="next" value="{esc(next_url)}">\n'
    )


def _form(request, pressing, offer, next_url):
    if offer.can_buy:
        limit = ""
        if offer.stock.per_customer_limit:
            limit = (
                '<p class="buy-box__limit">Limited to '
                f"{esc(offer.stock.per_customer_limit)} per customer.</p>"
            )
        return (
            f'<form class="buy-box__form" method="post" action="{esc(reverse("shop:cart-add"))}">\n'
            f"{_hidden(request, pressing, next_url)}"
            f'    <label for="qty-{pressing.pk}">Quantity</label>\n'
            f'    <input id="qty-{pressing.pk}" type="number" name="quantity" value="1" min="1" '
            f'max="{esc(offer.max_quantity)}" inputmode="numeric" required>\n'
            '    <button type="submit" class="button">Add to cart</button>\n'
            f"    {limit}\n"
            "  </form>"
        )
    if offer.wants_notify:
        ask = (
            "Email me if it comes back"
            if offer.state == "sold_out"
            else "Email me when it goes on sale"
        )
        return (
            f'<form class="notify-form" method="post" '
            f'action="{esc(reverse("shop:notify-signup"))}">\n'
            f"{_hidden(request, pressing, next_url)}"
            f'    <label for="notify-{pressing.pk}">{ask}</label>\n'
            f'    <input id="notify-{pressing.pk}" type="email" name="email" maxlength="254" '
            'autocomplete="email" required>\n'
            '    <button type="submit" class="button button--quiet">Notify me</button>\n'
            "  </form>"
        )
    return ""


def buy_box_html(request, pressing, offer):
    """The buy box of pressing, whose offer is shop.selectors.offer_for(pressing)."""
    next_url = request.get_full_path() if request is not None else ""
    # Every value went through esc() or is a primary key; the rest is this module's markup.
    return markup(
        f'<div class="buy-box buy-box--{esc(offer.state)}" data-pressing="{pressing.pk}">\n'
        f"  {_price(offer)}\n"
        f'  <p class="badge badge--{esc(offer.state)}">{esc(offer.label)}</p>\n'
        f"  {_form(request, pressing, offer, next_url)}\n"
        "</div>"
    )
