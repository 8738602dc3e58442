from django.urls import path

from reviews import feeds, views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.ReviewListView.as_view(), name="review-list"),
    path("reviews/feed/", feeds.ReviewFeed(), name="review-feed"),
    path("reviews/<slug:slug>/", views.ReviewDetailView.as_view(), name="review-detail"),
    path("features/", views.FeatureListView.as_view(), name="feature-list"),
    path("features/feed/", feeds.FeatureFeed(), name="feature-feed"),
    path("features/<slug:slug>/", views.FeatureDetailView.as_view(), name="feature-detail"),
    path("feed/", feeds.MagazineFeed(), name="feed"),
    path("feed/atom/", feeds.MagazineAtomFeed(), name="feed-atom"),
]
