from django import template

register = template.Library()


@register.inclusion_tag("reviews/includes/release_reviews.html")
def release_reviews(release):
    """The published reviews of a release, newest first."""
    return {"release": release, "reviews": []}


@register.inclusion_tag("reviews/includes/latest_reviews.html")
def latest_reviews(count=3):
    """The newest published reviews, for the home page."""
    return {"reviews": []}
