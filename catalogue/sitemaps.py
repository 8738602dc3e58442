from django.contrib.sitemaps import Sitemap

from catalogue.models import Release


class ReleaseSitemap(Sitemap):
    """Every published release page; the sitemap framework paginates past ``limit`` URLs."""

    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Release.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, release):
        return release.updated_at
