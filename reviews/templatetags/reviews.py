import functools
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.safestring import mark_safe

from catalogue.compiled import ID_MARK, CompiledQuery
from catalogue.escaping import script_json
from catalogue.models import Release
from reviews.models import Review

register = template.Library()


@functools.cache
def _release_reviews_query():
    # Compiled once per process (catalogue/compiled.py): every release page asks, and building
    # this many-to-many filter cost more CPU than running it.
    return CompiledQuery(Review.objects.published().filter(releases=ID_MARK), release=ID_MARK)


@register.inclusion_tag("reviews/includes/release_reviews.html")
def release_reviews(release):
    """The published reviews of a release, newest first, with their pull quotes as endorsements.

    A release read for its page says whether it has any (``has_published_reviews``, see
    reviews/apps.py): none, no statement."""
    if getattr(release, "has_published_reviews", True):
        reviews = _release_reviews_query().run(release=release.pk)
        prefetch_related_objects(reviews, "authors")
    else:
        reviews = []
    return {
        "release": release,
        "reviews": reviews,
        "pull_quotes": [review for review in reviews if review.pull_quote],
    }


@register.inclusion_tag("reviews/includes/latest_reviews.html")
def latest_reviews(count=3):
    """The newest published reviews, for the home page."""
    reviews = Review.objects.published().prefetch_related(
        "authors", Prefetch("releases", queryset=Release.objects.select_related("film"))
    )[:count]
    return {"reviews": list(reviews)}


@register.filter
def json_ld(data):
    """A dict as JSON safe to place inside <script type="application/ld+json">."""
    return mark_safe(script_json(json.dumps(data, cls=DjangoJSONEncoder)))  # noqa: S308 (escaped above)
