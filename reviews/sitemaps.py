from django.contrib.sitemaps import Sitemap

from reviews.models import Feature, Review


class ReviewSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Review.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class FeatureSitemap(ReviewSitemap):
    def items(self):
        return Feature.objects.published().order_by("pk")
