from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Magazine"

    def ready(self):
        from catalogue.signals import demo_loaded
        from reviews.demo import load_demo_pieces

        demo_loaded.connect(load_demo_pieces, dispatch_uid="reviews.demo")
