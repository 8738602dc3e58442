import functools
import hashlib
from array import array
from itertools import groupby

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView

from catalogue import hooks, release_parts
from catalogue.cache import generations
from catalogue.compiled import ID_MARK, TEXT_MARK, CompiledQuery, run_together
from catalogue.embeds import Embed
from catalogue.forms import ReleaseFilterForm, SearchForm
from catalogue.models import (
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
from catalogue.prefetch import annotate_lists, build, hydrate, json_list, listed, place
from catalogue.search import MATCHES_COUNTED, query_words, search_releases
from catalogue.selectors import cards, cards_in_order, related_releases
from catalogue.structured_data import release_json_ld

HOME_SHELF = 8
ARTIST_SHELF = 24
NEWEST = ("-published_at", "-id")
COUNT_TIMEOUT = 60


class CappedPaginator(Paginator):
    """Counts at most ``cap`` matches, so a page never counts 100,000 rows to say "10,000+".

    The first ``window_pages`` pages' ids, where most readers stay, are read together and kept: a
    few milliseconds at 100,000 releases. Beyond them the list's whole order is read once, its
    first ``cap`` + 1 ids, and kept packed (8 bytes an id, 80 KB): a window of 20 pages near
    page 400 cost 1.2-8.7 ms to walk to (45 ms for CDs by price, which joins every match to its
    price whatever the page), the whole order 3.8-11 ms (49 ms), so a reader or a crawler going
    deeper pays for the whole order about what two or three deep windows cost, then nothing more
    (docs/performance.md). Counts and orders are kept until a change to the catalogue or the
    shop, or for a minute, for releases published on a schedule. A paginator without windows
    (search) reads each page's ids on their own.
    """

    cap = 10_000
    window_pages = 20
    # The list as text, when the view can say it (ReleaseListView: its filters and its sort): the
    # cache keys are made from it rather than from the query's compiled SQL, which cost 0.25 ms a
    # key to compile. The text must name everything the query depends on; the count's key leaves
    # the sort out, so every sort of the same filters shares it, as the SQL's does.
    described_as = None
    sort_described_as = ""

    @cached_property
    def _generation(self):
        return generations(*hooks.list_scopes())

    def _key(self, kind, queryset):
        """A cache key for this query's answer, in the current generation of the lists."""
        query = queryset.query
        if self.described_as is None:
            sql, params = query.sql_with_params()
            source = f"{sql}|{params!r}"
        else:
            order = "" if kind == "count" else self.sort_described_as
            source = f"{self.described_as}|{order}|{query.low_mark}:{query.high_mark}"
        digest = hashlib.blake2b(source.encode(), digest_size=16).hexdigest()
        return f"list-{kind}:{digest}:{self._generation}"

    def _kept(self, kind, queryset, read):
        """read(queryset), kept in the cache under the query's key until the lists change."""
        key = self._key(kind, queryset)
        found = cache.get(key)
        if found is None:
            found = read(queryset)
            cache.set(key, found, COUNT_TIMEOUT)
        return found

    @cached_property
    def _whole_order(self):
        ordered = self.object_list.values_list("pk", flat=True)[: self.cap + 1]
        if ordered.query.is_empty():
            return array("q")
        # Packed: a cache hands back a copy of what it keeps, and 10,001 ids as a list of Python
        # ints cost 0.4 ms a page to copy, as bytes 7 µs.
        packed = self._kept("order", ordered, lambda ids: array("q", ids).tobytes())
        return array("q", packed)

    @cached_property
    def count(self):
        # SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1): stops once it has seen enough, and
        # leaves out the ordering, which changes nothing in a count. Every page and every sort of
        # the same filters shares the count.
        matches = self.object_list.values("pk").order_by()[: self.cap + 1]
        if matches.query.is_empty():
            return 0
        return self._kept("count", matches, lambda query: query.count())

    @property
    def is_capped(self):
        return self.count > self.cap

    # Columns the cards show beyond the usual ones.
    card_fields = ()

    def _page_ids(self, low, high):
        """The ids of the list's rows low to high: from the first window of pages, from the
        whole order beyond it, or on their own without windows."""
        if high <= low:
            return []
        ids = self.object_list.values_list("pk", flat=True)
        if not self.window_pages:
            return list(ids[low:high])
        size = self.window_pages * self.per_page
        if high > size:
            return self._whole_order[low:high].tolist()
        return self._kept("window", ids[:size], list)[low:high]

    def _get_page(self, object_list, *args, **kwargs):
        # object_list is the page's slice of the bare ordered query: its ids are picked by an
        # index walk, and only those rows get the cards' columns. Sliced with the cards' columns,
        # Postgres computes them for every row an OFFSET skips.
        if isinstance(object_list, QuerySet):
            query = object_list.query
            object_list = cards_in_order(
                self._page_ids(query.low_mark, query.high_mark), *self.card_fields
            )
        return super()._get_page(object_list, *args, **kwargs)


class SearchPaginator(CappedPaginator):
    cap = MATCHES_COUNTED
    # Searches rarely share a window: each page reads its own ids.
    window_pages = None
    # search_text feeds the snippet showing where the release matched.
    card_fields = ("search_text",)


def among(queryset, ids):
    """queryset's rows with these ids, the ids sent as one array parameter. A set given to pk__in
    makes a parameter of each id, and for an artist on thousands of releases Django and psycopg
    spent more time writing them into the SQL than PostgreSQL spent running it. No ids: no query
    at all, as pk__in with an empty set gives."""
    if not ids:
        return queryset.none()
    return queryset.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [sorted(ids)]))


@functools.lru_cache(maxsize=16)
def _shelf_among(today, size, order):
    """ "The cards of the first ``size`` published releases in ``order`` among these ids", one
    query compiled once a day per process (catalogue/compiled.py; the cards show "pre-order"
    by the day), the ids one array parameter as in ``among``."""
    ids = [ID_MARK]
    first = among(Release.objects.published(), ids).order_by(*order).values("pk")[:size]
    return CompiledQuery(cards(Release.objects.filter(pk__in=first)).order_by(*order), ids=ids)


def shelf_among(size, ids, order=NEWEST):
    """shelf(size, among(Release.objects.published(), ids), order=order) in one prepared
    statement: for an artist page's two shelves Django compiled and PostgreSQL planned the pick of
    the ids on every page, and the cards were a second statement."""
    if not ids:
        return []
    return _shelf_among(timezone.localdate(), size, order).run(ids=sorted(ids))


def shelf(size, *querysets, order=NEWEST):
    """The cards of the first ``size`` releases in ``order`` of the querysets together.

    The ids are picked on the bare tables first, each queryset's own first ``size`` among them;
    their cards come from the cards query compiled and prepared once a day per process
    (selectors.cards_in_order). As one statement, the cards' columns filtered by the shelf's ids,
    Django compiled and PostgreSQL planned the whole of it on every page: at 100,000 releases an
    artist page's two shelves took 21 ms, against 15 ms as ids and cards (docs/performance.md).
    """
    if len(querysets) == 1:
        ids = querysets[0].order_by(*order).values_list("pk", flat=True)[:size]
    else:
        picks = [queryset.order_by(*order).values("pk")[:size] for queryset in querysets]
        ids = (
            Release.objects.filter(pk__in=picks[0].union(*picks[1:]))
            .order_by(*order)
            .values_list("pk", flat=True)[:size]
        )
    return cards_in_order(ids)


class HomeView(TemplateView):
    template_name = "catalogue/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Release.objects.published()
        context["new_releases"] = shelf(HOME_SHELF, published)
        context["upcoming"] = shelf(HOME_SHELF, published.upcoming())
        context["limited"] = shelf(HOME_SHELF, published.limited())
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
        # The filter fields, as rendered, depend on the address's filters and the labels alone:
        # every search with the same filters shares them (they cost milliseconds to render).
        filters = sorted(
            (k, v) for k, vs in self.request.GET.lists() if k not in ("q", "page") for v in vs
        )
        context["filters_cache_key"] = (
            f"{self.default_sort}|{generations('catalogue')}|{urlencode(filters)}"
        )
        return context


class ReleaseListView(FilteredReleasesMixin, ListView):
    template_name = "catalogue/release_list.html"
    context_object_name = "releases"

    def get_queryset(self):
        form = self.filter_form
        # Bare and ordered: the paginator fetches the cards of its page only.
        return form.order(form.apply(Release.objects.published()))

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        form = self.filter_form
        # get_queryset's query is the published releases, filtered and sorted by the form alone.
        paginator.described_as = f"published releases?{form.filters_described()}"
        paginator.sort_described_as = form.sort_key
        return paginator


class SearchView(FilteredReleasesMixin, ListView):
    template_name = "catalogue/search.html"
    context_object_name = "releases"
    default_sort = "relevance"
    extra_sorts = (("relevance", "Best match"),)
    paginator_class = SearchPaginator

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
        form = self.filter_form
        # Without filters, every search runs the same statements but for its words: their SQL is
        # kept, under a key naming the scope ("published releases" alone has no value of the
        # moment in its SQL; filters such as "in stock" do).
        plain = not form.filters_described()
        return search_releases(
            form.apply(Release.objects.published()),
            words,
            scope_key="published releases" if plain else None,
        )

    def get_queryset(self):
        if self.result is None:
            return Release.objects.none()
        if self.filter_form.sort_key == "relevance":
            return self.result.best_first(
                lambda ids: cards_in_order(ids, *self.paginator_class.card_fields)
            )
        return self.filter_form.order(self.result.releases)

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        if self.result is not None:
            if self.filter_form.sort_key == "relevance":
                # Counted and ranked in one statement (SearchResult.ranking).
                self.result.ranking  # noqa: B018
            # Counted once: the order of the matches depends on it too.
            paginator.count = self.result.count
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        context["search_form"] = self.search_form
        context["search_query"] = query.replace("\x00", "").strip()[:200]
        context["result"] = self.result
        context["highlight_terms"] = self.result.highlight_terms if self.result else []
        return context


@functools.cache
def release_page_queries():
    """The release page's queries (the release, its tracks, credits and pressings), compiled once.

    See _release_page_parts for what they hold, and catalogue/compiled.py for why they are
    compiled once per process: it took more CPU than running them.
    """
    release, lists = _release_page_parts()
    # The lists find their release by its slug too, so all four go to PostgreSQL in one message
    # (run_together): none waits for the release's row to learn its id.
    release_id = Subquery(Release.objects.filter(slug=TEXT_MARK).order_by().values("pk")[:1])
    return (
        CompiledQuery(release.filter(slug=TEXT_MARK), slug=TEXT_MARK),
        {
            name: CompiledQuery(queryset.filter(release_id=release_id), slug=TEXT_MARK)
            for name, queryset in lists.items()
        },
    )


@functools.cache
def _release_page_parts():
    """The release page's queryset and its long lists, built once per process.

    Short lists ride along in the release's own row as JSON (catalogue/prefetch.py); the long ones
    (tracks, credits, pressings) are a query each: four statements, sent to PostgreSQL together,
    whatever the number of tracks, credits or pressings. Nothing in them depends on the request
    ("published" compares with the database's clock).
    """
    artist = JSONObject(id="artist__id", name="artist__name", slug="artist__slug")
    tracks = annotate_lists(
        # The tracks of one release: the model's ordering starts with the release's own, which
        # would join the release table to each row for nothing.
        Track.objects.order_by("side", "number", "id"),
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
        Release.objects.published()
        .select_related("film")
        .annotate(**hooks.release_page_annotations()),
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
    ), {
        "tracks": tracks,
        "credits": Credit.objects.select_related("artist", "role", "track"),
        "pressings": pressings,
    }


class ReleaseDetailView(DetailView):
    template_name = "catalogue/release_detail.html"
    context_object_name = "release"

    def get_object(self, queryset=None):
        release_query, list_queries = release_page_queries()
        slug = {"slug": self.kwargs["slug"]}
        found, *lists = run_together(
            (release_query, slug), *((query, slug) for query in list_queries.values())
        )
        if not found:
            raise Http404("No published release has this address.")
        release = found[0]
        for name, rows in zip(list_queries, lists, strict=True):
            for row in rows:
                row.release = release
            place(release, name, rows)
        hydrate(release, "riyl", "genres", "endorsements", "chart_entries")
        if release.film is not None:
            release._json_credits = release._json_film_credits
            release._json_accolades = release._json_film_accolades
            hydrate(release, "credits", "accolades", into=release.film)
        for track in listed(release, "tracks"):
            hydrate(track, "artist_credit")
        for pressing in listed(release, "pressings"):
            hydrate(pressing, "companies", "images")
        return release

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        release = self.object
        tracks = list(listed(release, "tracks"))
        context["sides"] = [
            (side_heading(side), list(group))
            for side, group in groupby(tracks, key=lambda t: t.side)
        ]
        context["total_duration"] = sum(t.duration or 0 for t in tracks)
        context["has_scene_notes"] = any(t.scene_note for t in tracks)
        credits = list(listed(release, "credits"))
        context["credits_by_role"] = [
            (role, list(group)) for role, group in groupby(credits, key=lambda c: c.role)
        ]
        context["composers"] = release.composers()
        context["embed"] = (
            Embed(release.embed_provider, release.embed_id, release.embed_is_playlist)
            if release.embed_provider and release.embed_id
            else None
        )
        context["related"] = related_releases(release)
        json_ld = context["json_ld"] = release_json_ld(release, self.request)
        # The page's own parts composed in Python (catalogue/release_parts.py); the template
        # places them among what the other apps add.
        composers = context["composers"]
        pressing_count = len(listed(release, "pressings"))
        context["page_title"] = release_parts.page_title(release)
        context["page_description"] = release_parts.page_description(
            release, composers, pressing_count
        )
        context["page_meta"] = release_parts.meta_html(release, composers, json_ld)
        context["page_top"] = release_parts.top_html(
            release, composers, pressing_count, bool(context["sides"])
        )
        context["page_listen"] = release_parts.listen_html(release, context["embed"])
        context["page_more"] = release_parts.more_html(
            release, release.description_as_html(), context["credits_by_role"]
        )
        return context


def side_heading(side):
    """ "A" -> "Side A", "2" -> "Disc 2", "" -> "" (a plain numbered list needs no heading)."""
    if not side:
        return ""
    return f"Disc {side}" if side.isdigit() else f"Side {side}"


@functools.cache
def _by_slug(model):
    """ "The row of ``model`` with this slug", compiled once per process (catalogue/compiled.py):
    Django compiled the lookup afresh for every page, 0.4 ms of CPU, more than running it."""
    return CompiledQuery(model._default_manager.filter(slug=TEXT_MARK), slug=TEXT_MARK)


@functools.cache
def _artist_page_query():
    """The artist with this slug and their first film credits, with films and roles, as a JSON
    column of the artist's row (catalogue/prefetch.py): one statement, compiled once per process."""
    film_credits = json_list(
        FilmCredit.objects.order_by("order", "id"),
        link="artist",
        limit=ARTIST_SHELF,
        id="id",
        artist="artist_id",
        order="order",
        film=JSONObject(id="film__id", title="film__title", year="film__year", slug="film__slug"),
        role=JSONObject(id="role__id", name="role__name", slug="role__slug", order="role__order"),
    )
    artists = annotate_lists(Artist.objects.filter(slug=TEXT_MARK), film_credits=film_credits)
    return CompiledQuery(artists, slug=TEXT_MARK)


class CompiledSlugMixin:
    """DetailView.get_object() through a compiled slug lookup: the model's own (above) unless
    the view names another (``slug_query``)."""

    def slug_query(self):
        return _by_slug(self.model)

    def get_object(self, queryset=None):
        found = self.slug_query().run(slug=self.kwargs["slug"])
        if not found:
            raise Http404(f"No {self.model._meta.verbose_name} has this address.")
        return found[0]


class ArtistDetailView(CompiledSlugMixin, DetailView):
    template_name = "catalogue/artist_detail.html"
    context_object_name = "artist"
    model = Artist

    def slug_query(self):
        return _artist_page_query()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Release.objects.published()
        newest = ("-original_year", "-published_at", "-id")
        ids = self.object.release_ids_by_role()
        if ids is None:  # an artist on thousands of releases: walk them in order
            appearing = published.appearing(self.object)
            composed = shelf(ARTIST_SHELF + 1, published.composed_by(self.object), order=newest)
            appears_on = shelf(ARTIST_SHELF + 1, *appearing, order=newest)
        else:
            composed = shelf_among(ARTIST_SHELF + 1, ids[0], order=newest)
            appears_on = shelf_among(ARTIST_SHELF + 1, ids[1], order=newest)
        context["composed"] = composed
        context["appears_on"] = appears_on
        context["shelf_size"] = ARTIST_SHELF
        context["film_credits"] = [
            build(FilmCredit, row) for row in self.object._json_film_credits or []
        ]
        return context


class LabelDetailView(CompiledSlugMixin, DetailView):
    template_name = "catalogue/label_detail.html"
    context_object_name = "label"
    model = Label

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["releases"] = shelf(
            ARTIST_SHELF + 1, Release.objects.published().on_label(self.object)
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
        context["releases"] = shelf(
            ARTIST_SHELF,
            Release.objects.published().filter(film=self.object),
            order=("-original_year", "-id"),
        )
        return context
