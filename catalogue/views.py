from django.db.models import Prefetch
from django.views.generic import DetailView, ListView, TemplateView

from catalogue.models import (
    Artist,
    Credit,
    Film,
    Label,
    Pressing,
    Release,
    RiylEntry,
    Track,
    TrackArtist,
)


class HomeView(TemplateView):
    template_name = "catalogue/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["new_releases"] = Release.objects.published().select_related("film")[:8]
        return context


class ReleaseListView(ListView):
    template_name = "catalogue/release_list.html"
    paginate_by = 24
    queryset = Release.objects.published().select_related("film")


class ReleaseDetailView(DetailView):
    template_name = "catalogue/release_detail.html"
    queryset = (
        Release.objects.published()
        .select_related("film")
        .prefetch_related(
            Prefetch(
                "tracks",
                queryset=Track.objects.prefetch_related(
                    Prefetch("artist_credit", queryset=TrackArtist.objects.select_related("artist"))
                ),
            ),
            Prefetch(
                "credits",
                queryset=Credit.objects.filter(track__isnull=True).select_related("artist", "role"),
            ),
            Prefetch(
                "pressings",
                queryset=Pressing.objects.select_related("label").prefetch_related(
                    "companies__company"
                ),
            ),
            Prefetch("riyl", queryset=RiylEntry.objects.select_related("artist")),
            "endorsements",
            "chart_entries",
        )
    )


class ArtistDetailView(DetailView):
    template_name = "catalogue/artist_detail.html"
    model = Artist


class LabelDetailView(DetailView):
    template_name = "catalogue/label_detail.html"
    model = Label


class FilmDetailView(DetailView):
    template_name = "catalogue/film_detail.html"
    model = Film


class SearchView(TemplateView):
    template_name = "catalogue/search.html"
