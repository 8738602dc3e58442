"""RSS and Atom feeds of published reviews and features (never drafts or pieces not yet due)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from reviews.models import Feature, Review

FEED_LENGTH = 20


class PieceFeed(Feed):
    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.byline


class ReviewFeed(PieceFeed):
    title = "Needle Drop: reviews"
    link = reverse_lazy("reviews:review-list")
    description = "New reviews of soundtrack records from Needle Drop."

    def items(self):
        return Review.objects.published().prefetch_related("authors")[:FEED_LENGTH]


class FeatureFeed(PieceFeed):
    title = "Needle Drop: features"
    link = reverse_lazy("reviews:feature-list")
    description = "Lists and long reads about soundtracks from Needle Drop."

    def items(self):
        return Feature.objects.published().prefetch_related("authors")[:FEED_LENGTH]


class MagazineFeed(PieceFeed):
    title = "Needle Drop magazine"
    link = reverse_lazy("reviews:review-list")
    description = "Reviews and features about soundtrack records from Needle Drop."

    def items(self):
        pieces = [*ReviewFeed().items(), *FeatureFeed().items()]
        pieces.sort(key=lambda piece: (piece.publish_at, piece.pk), reverse=True)
        return pieces[:FEED_LENGTH]


class MagazineAtomFeed(MagazineFeed):
    feed_type = Atom1Feed
    subtitle = MagazineFeed.description
