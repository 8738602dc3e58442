from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.functions import JSONObject
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView, TemplateView

from catalogue import hooks
from catalogue.embeds import Embed
from catalogue.forms import ReleaseFilterForm, SearchForm
from catalogue.markdown import render_markdown
from catalogue.models import (
    COMPOSED_BY,
    Accolade,
    Artist,
    ChartEntry,
    Credit,
    Endorsement,
    Film,
    FilmCredit,
    Genre,
    Label,
    Pressing,
    PressingCompany,
    PressingImage,
    Release,
    RiylEntry,
    Track,
    TrackArtist,
)
from catalogue.prefetch import annotate_lists, hydrate, json_list
from catalogue.search import query_words, search_releases
from catalogue.selectors import related_releases
from catalogue.structured_data import release_json_ld

HOME_SHELF = 8
ARTIST_SHELF = 24


class CappedPaginator(Paginator):
    """Counts at most ``cap`` matches, so a page never counts 100,000 rows to say "10,000+"."""

    cap = 10_000

    @cached_property
    def count(self):
        # SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1): stops once it has seen enough, and
        # leaves out the cards' annotations and the ordering, which change nothing in a count.
        return self.object_list.values("pk").order_by()[: self.cap + 1].count()

    @property
    def is_capped(self):
        return self.count > self.cap


def cards(queryset, *extra_fields):
    """A published-release queryset ready for cards, with what other apps add to them."""
    return hooks.annotate_for_list(queryset.for_cards(*extra_fields))


class HomeView(TemplateView):
    template_name = "catalogue/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Release.objects.published()
        context["new_releases"] = cards(published).order_by("-published_at", "-id")[:HOME_SHELF]
        context["upcoming"] = cards(published.upcoming()).order_by("-published_at", "-id")[
            :HOME_SHELF
        ]
        context["limited"] = cards(published.limited()).order_by("-published_at", "-id")[
            :HOME_SHELF
        ]
        return context


class FilteredReleasesMixin:
    """Filters, sorts and capped pagination shared by the release list and search."""

    paginate_by = 24
    paginator_class = CappedPaginator
    default_sort = "newest"
    extra_sorts = ()

    @cached_property
    def filter_form(self):
        return ReleaseFilterForm(
            self.request.GET, default_sort=self.default_sort, extra_sorts=self.extra_sorts
        )

    def paginate_queryset(self, queryset, page_size):
        # get_page() turns a bad or too-high ?page= into the nearest real page, never an error.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["active_filters"] = self.filter_form.active_filters()
        context["page_query"] = self.filter_form.page_query()
        return context


class ReleaseListView(FilteredReleasesMixin, ListView):
    template_name = "catalogue/release_list.html"
    context_object_name = "releases"

    def get_queryset(self):
        form = self.filter_form
        return form.order(cards(form.apply(Release.objects.published())))


class SearchView(FilteredReleasesMixin, ListView):
    template_name = "catalogue/search.html"
    context_object_name = "releases"
    default_sort = "relevance"
    extra_sorts = (("relevance", "Best match"),)

    @cached_property
    def search_form(self):
        return SearchForm(self.request.GET)

    @cached_property
    def result(self):
        if not self.search_form.is_valid():
            return None
        words = query_words(self.search_form.cleaned_data["q"])
        if not words:
            return None
        return search_releases(self.filter_form.apply(Release.objects.published()), words)

    def get_queryset(self):
        if self.result is None:
            return Release.objects.none()
        # search_text feeds the snippet showing where the release matched.
        releases = cards(self.result.releases, "search_text")
        if self.filter_form.sort_key == "relevance":
            return releases.order_by("-rank", "-published_at", "-id")
        return self.filter_form.order(releases)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        context["search_form"] = self.search_form
        context["search_query"] = query.replace("\x00", "").strip()[:200]
        context["result"] = self.result
        context["highlight_terms"] = self.result.highlight_terms if self.result else []
        return context


class ReleaseDetailView(DetailView):
    template_name = "catalogue/release_detail.html"
    context_object_name = "release"

    def get_queryset(self):
        # Short lists ride along in the release's own row as JSON (catalogue/prefetch.py); the
        # long ones (tracks, credits, pressings) are prefetched. Nine queries at most, whatever
        # the number of tracks, credits or pressings.
        artist = JSONObject(id="artist__id", name="artist__name", slug="artist__slug")
        tracks = annotate_lists(
            Track.objects.all(),
            artist_credit=json_list(
                TrackArtist.objects.order_by("order", "id"),
                link="track",
                id="id",
                artist=artist,
                credited_as="credited_as",
                join_phrase="join_phrase",
                order="order",
            ),
        )
        pressings = annotate_lists(
            hooks.annotate_pressings(Pressing.objects.select_related("label")),
            companies=json_list(
                PressingCompany.objects.order_by("role", "id"),
                link="pressing",
                id="id",
                role="role",
                company=JSONObject(id="company__id", name="company__name", slug="company__slug"),
            ),
            images=json_list(
                PressingImage.objects.order_by("order", "id"),
                link="pressing",
                id="id",
                image="image",
                alt="alt",
            ),
        )
        return annotate_lists(
            Release.objects.published().select_related("film"),
            riyl=json_list(
                RiylEntry.objects.order_by("order", "id"),
                id="id",
                name="name",
                order="order",
                artist=artist,
            ),
            genres=json_list(
                Genre.objects.order_by("name"), link="releases", id="id", name="name", slug="slug"
            ),
            endorsements=json_list(
                Endorsement.objects.order_by("order", "id"),
                id="id",
                quote="quote",
                name="name",
                affiliation="affiliation",
            ),
            chart_entries=json_list(
                ChartEntry.objects.order_by("peak", "id"),
                id="id",
                chart="chart",
                peak="peak",
                date="date",
                year="year",
                note="note",
            ),
            film_credits=json_list(
                FilmCredit.objects.order_by("order", "id"),
                link="film",
                outer="film_id",
                id="id",
                artist=artist,
                order="order",
                role=JSONObject(
                    id="role__id", name="role__name", slug="role__slug", order="role__order"
                ),
            ),
            film_accolades=json_list(
                Accolade.objects.order_by("-year", "id"),
                link="film",
                outer="film_id",
                id="id",
                text="text",
                source="source",
                year="year",
            ),
        ).prefetch_related(
            Prefetch("tracks", queryset=tracks),
            Prefetch("credits", queryset=Credit.objects.select_related("artist", "role", "track")),
            Prefetch("pressings", queryset=pressings),
        )

    def get_object(self, queryset=None):
        release = super().get_object(queryset)
        hydrate(release, "riyl", "genres", "endorsements", "chart_entries")
        if release.film is not None:
            release._json_credits = release._json_film_credits
            release._json_accolades = release._json_film_accolades
            hydrate(release, "credits", "accolades", into=release.film)
        for track in release.tracks.all():
            hydrate(track, "artist_credit")
        for pressing in release.pressings.all():
            hydrate(pressing, "companies", "images")
        return release

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        release = self.object
        tracks = list(release.tracks.all())
        context["sides"] = [
            (side_heading(side), list(group))
            for side, group in groupby(tracks, key=lambda t: t.side)
        ]
        context["total_duration"] = sum(t.duration or 0 for t in tracks)
        context["has_scene_notes"] = any(t.scene_note for t in tracks)
        credits = list(release.credits.all())
        context["credits_by_role"] = [
            (role, list(group)) for role, group in groupby(credits, key=lambda c: c.role)
        ]
        context["composers"] = [c for c in credits if c.role.name == COMPOSED_BY and not c.track_id]
        context["embed"] = (
            Embed(release.embed_provider, release.embed_id, release.embed_is_playlist)
            if release.embed_provider and release.embed_id
            else None
        )
        context["description_html"] = render_markdown(release.description)
        context["related"] = related_releases(release)
        context["json_ld"] = release_json_ld(release, self.request)
        return context


def side_heading(side):
    """ "A" -> "Side A", "2" -> "Disc 2", "" -> "" (a plain numbered list needs no heading)."""
    if not side:
        return ""
    return f"Disc {side}" if side.isdigit() else f"Side {side}"


class ArtistDetailView(DetailView):
    template_name = "catalogue/artist_detail.html"
    context_object_name = "artist"
    model = Artist

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Release.objects.published()
        newest = ("-original_year", "-published_at", "-id")
        context["composed"] = list(
            cards(published.composed_by(self.object)).order_by(*newest)[: ARTIST_SHELF + 1]
        )
        context["appears_on"] = list(
            cards(published.appearing(self.object)).order_by(*newest)[: ARTIST_SHELF + 1]
        )
        context["shelf_size"] = ARTIST_SHELF
        context["film_credits"] = FilmCredit.objects.filter(artist=self.object).select_related(
            "film", "role"
        )[:ARTIST_SHELF]
        return context


class LabelDetailView(DetailView):
    template_name = "catalogue/label_detail.html"
    context_object_name = "label"
    model = Label

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["releases"] = list(
            cards(Release.objects.published().on_label(self.object)).order_by(
                "-published_at", "-id"
            )[: ARTIST_SHELF + 1]
        )
        context["shelf_size"] = ARTIST_SHELF
        return context


class FilmDetailView(DetailView):
    template_name = "catalogue/film_detail.html"
    context_object_name = "film"
    queryset = Film.objects.prefetch_related(
        Prefetch("credits", queryset=FilmCredit.objects.select_related("artist", "role")),
        "accolades",
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["releases"] = cards(Release.objects.published().filter(film=self.object)).order_by(
            "-original_year", "-id"
        )[:ARTIST_SHELF]
        return context
