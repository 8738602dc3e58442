"""The site map's sections. Catalogue pages are listed here, so the catalogue imports no sitemap code."""

from django.contrib.sitemaps import Sitemap

from catalogue.models import Release
from reviews.sitemaps import FeatureSitemap, ReviewSitemap


class ReleaseSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Release.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"releases": ReleaseSitemap, "reviews": ReviewSitemap, "features": FeatureSitemap}
