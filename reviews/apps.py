from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Magazine"

    def ready(self):
        from catalogue.signals import demo_loaded
        from reviews.demo import load_demo_pieces

        demo_loaded.connect(load_demo_pieces, dispatch_uid="reviews.demo")

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from catalogue.cache import bump

        # Reviews show on release pages and the home page: any change to a piece makes the
        # cached pages that show pieces stale.
        def magazine_changed(sender, **kwargs):
            if sender._meta.app_label == "reviews":
                bump("reviews")

        for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
            signal.connect(magazine_changed, weak=False, dispatch_uid=f"reviews.cache.{name}")

        from django.db.models import Exists, OuterRef

        from catalogue import hooks
        from catalogue.images import renditions_on_save
        from reviews.models import Feature, FeatureEntry, Review, ReviewImage

        # Whether a release has published reviews, read with the release page's own row: most
        # releases have none, and their pages then send no reviews statement
        # (reviews.templatetags.reviews.release_reviews).
        hooks.register_release_page_annotation(
            "has_published_reviews",
            lambda: Exists(Review.objects.published().filter(releases=OuterRef("pk"))),
        )

        # Each picture in the widths of the pages that show it (catalogue/images.py, SIZES).
        renditions_on_save(Review, "hero_image", ("article",))
        renditions_on_save(Feature, "hero_image", ("article", "teaser"))
        renditions_on_save(ReviewImage, "image", ("article",))
        renditions_on_save(FeatureEntry, "image", ("article",))
