from django import template

register = template.Library()


@register.inclusion_tag("shop/includes/buy_box.html", takes_context=True)
def buy_box(context, pressing):
    """Price, availability and the add-to-cart form for one pressing."""
    return {"pressing": pressing, "request": context.get("request")}
