from django import template

register = template.Library()


@register.inclusion_tag("ratings/includes/poll.html", takes_context=True)
def release_poll(context, release):
    """The reader poll "What do you think of this release?"."""
    return {"release": release, "request": context.get("request")}
