from django import template

from ratings.context import poll_context
from ratings.fragments import poll_body_html, poll_section_html
from ratings.selectors import median_would_pay, poll_results

register = template.Library()


@register.simple_tag(takes_context=True)
def release_poll(context, release):
    """The reader poll "What do you think of this release?"."""
    request = context.get("request")
    if request is not None:
        # Tells VoterCookieMiddleware this reader has now seen a poll.
        request.poll_shown = True
    return poll_section_html(poll_body_html(poll_context(request, release)))


@register.inclusion_tag("ratings/includes/poll_admin.html")
def release_poll_admin(release):
    """The poll results for staff, e.g. in the release admin: counts, shares, median would-pay."""
    return {
        "release": release,
        "results": poll_results(release),
        "median_would_pay": median_would_pay(release),
    }
