from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models import F

        from catalogue.hooks import ListSort, register_sort
        from catalogue.signals import demo_loaded
        from ratings.demo import add_demo_votes
        from ratings.signals import adopt_anonymous_votes

        def most_wanted(queryset):
            # Releases nobody has voted on have no tally row and sort last.
            return queryset.order_by(
                F("poll_tally__buying").desc(nulls_last=True), "-published_at", "-id"
            )

        register_sort(ListSort("wanted", "Most wanted", most_wanted))
        demo_loaded.connect(add_demo_votes, dispatch_uid="ratings.demo_votes")
        user_logged_in.connect(adopt_anonymous_votes, dispatch_uid="ratings.adopt_votes")
