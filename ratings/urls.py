from django.urls import path

from ratings import views

app_name = "ratings"

urlpatterns = [
    path("releases/<slug:slug>/poll/", views.vote, name="vote"),
    path("releases/<slug:slug>/poll/would-pay/", views.would_pay, name="would-pay"),
    path(
        "releases/<slug:slug>/poll/share/mastodon/",
        views.share_mastodon,
        name="share-mastodon",
    ),
]
