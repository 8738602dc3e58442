from django import template
from django.utils.safestring import mark_safe

from catalogue.escaping import escaped as esc
from catalogue.escaping import markup
from shop.buy_box import buy_box_html
from shop.money import format_money
from shop.notify_form import notify_me_html
from shop.selectors import offer_for

register = template.Library()

SOLD_OUT = mark_safe('<span class="badge badge--soldout">Sold out</span>')
FROM = mark_safe('<span class="visually-hidden">From </span>')


def card_price(release):
    """The foot of a release card: the lowest price, or sold out (catalogue.hooks.register_card_part).

    Reads the annotations of shop.selectors.annotate_releases; runs no query. Composed with
    f-strings of escaped values, as the card itself is (catalogue/cards.py): format_html's
    lazy-aware escaping cost more than the rest of the price.
    """
    if release.shop_price_from is None:
        return ""
    if release.shop_in_stock:
        shown = f"{FROM}{esc(format_money(release.shop_price_from))}"
    else:
        shown = SOLD_OUT
    return markup(f'<p class="card__price">{shown}</p>')  # escaped above


@register.filter
def money(amount):
    """{{ order.total|money }} -> "$28.60" in the store currency."""
    return format_money(amount)


@register.simple_tag(takes_context=True)
def buy_box(context, pressing):
    """Price, availability and the add-to-cart form for one pressing (or the notify-me form).

    Runs no query when the page's pressings went through catalogue.hooks.annotate_pressings.
    Composed in shop/buy_box.py.
    """
    return buy_box_html(context.get("request"), pressing, offer_for(pressing))


@register.simple_tag(takes_context=True)
def notify_me(context, release):
    """A notify-me sign-up for the pressings of a release (shown after a "Maybe Buy" vote).
    Composed in shop/notify_form.py."""
    return notify_me_html(context.get("request"), release)
