from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("releases/", views.ReleaseListView.as_view(), name="release-list"),
    path("releases/<slug:slug>/", views.ReleaseDetailView.as_view(), name="release-detail"),
    path("artists/<slug:slug>/", views.ArtistDetailView.as_view(), name="artist-detail"),
    path("labels/<slug:slug>/", views.LabelDetailView.as_view(), name="label-detail"),
    path("films/<slug:slug>/", views.FilmDetailView.as_view(), name="film-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
]
