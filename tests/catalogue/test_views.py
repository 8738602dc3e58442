import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.forms import ReleaseFilterForm
from catalogue.models import FilmCredit, Pressing, Release, Status
from catalogue.selectors import cards, related_releases
from catalogue.views import ARTIST_SHELF, CappedPaginator, ReleaseDetailView
from tests.catalogue.conftest import add_track
from tests.factories import (
    ArtistFactory,
    CreditFactory,
    FilmFactory,
    LabelFactory,
    PressingFactory,
    ReleaseFactory,
    RiylEntryFactory,
    RoleFactory,
    TrackArtistFactory,
    TrackFactory,
    pressing_on_sale,
)

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's visible text, tags removed and whitespace collapsed."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def card_titles(response):
    titles = re.findall(r'class="card__title">(.*?)</span>', response.content.decode())
    return [unescape(re.sub(r"<[^>]+>", "", t)) for t in titles]


def test_release_page_shows_everything_on_the_shop_page(
    client, drive, django_assert_max_num_queries
):
    with django_assert_max_num_queries(22):
        response = client.get(drive.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    html = response.content.decode()
    assert "Kavinsky & Lovefoxxx" in text
    assert "College feat. Electric Youth" in text
    assert '<a href="/artists/electric-youth/">Electric Youth</a>' in html
    assert "RIYL: Kavinsky, College, Johnny Jewel" in text
    assert "Licensed from Lakeshore Records" in text
    assert "INV109LP" in text
    assert "INV109LPX" in text
    assert "Numbered, limited to 1,000" in text
    assert "Needle Drop exclusive" in text
    assert "Side A" in text
    assert "Side B" in text
    assert "Geoff Barrow (Portishead / Invada)" in text
    assert "No. 4 iTunes albums" in text
    assert "No. 35 Billboard 200" in text
    assert "No. 1 film of 2011 Rolling Stone, 2011" in text
    assert "<strong>synth pop</strong>" in html
    assert html.count('class="buy-box buy-box--') == 2
    assert re.search(r"<details class=\"spoiler\">.*the motel shoot-out", html, re.S)
    assert html.count("<h1") == 1


def test_listening_embed_loads_nothing_from_the_provider_until_played(client, drive):
    html = client.get(drive.get_absolute_url()).content.decode()
    assert "<iframe" not in html
    # No src, srcset or poster points at the provider: only a link and a data attribute do.
    assert not re.search(r'(?<![\w-])(src|srcset)="https://[^"]*(youtube|ytimg|vimeo)', html)
    assert 'href="https://www.youtube.com/playlist?list=PLxLtXb2Jc1"' in html
    assert (
        'data-embed-src="https://www.youtube-nocookie.com/embed/videoseries?list=PLxLtXb2Jc1'
        in html
    )


def test_release_page_has_json_ld_and_open_graph(client, drive):
    html = client.get(drive.get_absolute_url()).content.decode()
    block = re.search(
        r'<script type="application/ld\+json" nonce="[^"]*">(.*?)</script>', html, re.S
    )
    data = json.loads(block.group(1))
    assert data["@type"] == "MusicAlbum"
    assert data["name"] == drive.title
    assert data["byArtist"][0]["name"] == "Cliff Martinez"
    assert [r["catalogNumber"] for r in data["albumRelease"]] == ["INV109LP", "INV109LPX"]
    assert data["track"][0] == {
        "@type": "MusicRecording",
        "position": "A1",
        "name": "Nightcall",
        "duration": "PT4M18S",
        "byArtist": [
            {"@type": "MusicGroup", "name": "Kavinsky"},
            {"@type": "MusicGroup", "name": "Lovefoxxx"},
        ],
    }
    assert '<meta property="og:type" content="music.album">' in html
    assert f'<meta property="og:url" content="http://testserver{drive.get_absolute_url()}">' in html


def test_json_ld_cannot_be_closed_by_a_title(client):
    release = ReleaseFactory(title="</script><script>alert(1)</script>", slug="evil")
    html = client.get(release.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html


def test_release_details_are_shown_as_rendered_on_save_or_rendered_when_a_row_has_none(client):
    release = ReleaseFactory(description="Pressed on **hot pink** vinyl.<script>x()</script>")
    assert release.description_html.startswith("<p>Pressed on <strong>hot pink</strong>")
    assert "<script>" not in release.description_html
    # The page shows what save() rendered: it does not render the Markdown again.
    Release.objects.filter(pk=release.pk).update(description_html="<p>As saved.</p>")
    assert "<p>As saved.</p>" in client.get(release.get_absolute_url()).content.decode()
    # A row written without save() (a fixture, a bulk insert) is rendered on the page.
    Release.objects.filter(pk=release.pk).update(description="A *new* text.", description_html="")
    html = client.get(release.get_absolute_url()).content.decode()
    assert "<p>A <em>new</em> text.</p>" in html and "As saved." not in html


def test_saving_only_the_details_renders_them_again():
    release = ReleaseFactory(description="Old words.")
    release.description = "New **words**."
    release.save(update_fields=["description"])
    release.refresh_from_db()
    assert release.description_html == "<p>New <strong>words</strong>.</p>\n"


def test_saving_other_fields_neither_reads_nor_renders_the_details():
    release = ReleaseFactory(description="Kept **as is**.")
    Release.objects.filter(pk=release.pk).update(description_html="<p>Stored.</p>")
    loaded = Release.objects.only("id", "status").get(pk=release.pk)
    loaded.save(update_fields=["status"])
    loaded.save()
    # The description was never loaded (that would be a query) nor its HTML written.
    assert {"description", "description_html"} <= loaded.get_deferred_fields()
    assert Release.objects.get(pk=release.pk).description_html == "<p>Stored.</p>"


def test_draft_release_is_not_found(client):
    draft = ReleaseFactory(status=Status.DRAFT, published_at=None)
    future = ReleaseFactory(published_at=timezone.now() + timezone.timedelta(days=1))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404


def release_with_tracks(count):
    release = ReleaseFactory()
    role = RoleFactory(name="Composed By")
    for n in range(count):
        track = add_track(release, f"{'AB'[n % 2]}{n + 1}", f"Cue {n}", 100 + n, kind="score")
        TrackArtistFactory(track=track, join_phrase=" & ")
        TrackArtistFactory(track=track, order=1)
        CreditFactory(release=release, track=track, role=role)
        CreditFactory(release=release, role=RoleFactory(name=f"Role {n % 5}"))
    for _ in range(count // 4):
        PressingFactory(release=release)
    return release


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_release_page_queries_do_not_grow_with_tracks_credits_or_pressings(client):
    small = release_with_tracks(4)
    large = release_with_tracks(40)
    client.get(small.get_absolute_url())  # warm caches that are not queries
    assert queries_for(client, small.get_absolute_url()) == queries_for(
        client, large.get_absolute_url()
    )


def test_home_shows_new_upcoming_and_limited(client, drive, django_assert_max_num_queries):
    soon = ReleaseFactory(title="Coming Attraction")
    PressingFactory(release=soon, release_date=timezone.localdate() + timezone.timedelta(days=30))
    ReleaseFactory.create_batch(10)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalogue:home"))
    text = text_of(response)
    assert "New releases" in text
    assert "Coming soon" in text
    assert "Coming Attraction" in text
    assert "Limited pressings" in text
    assert drive.title in text
    assert text.count("Pre-order") >= 1


def make_catalogue():
    composer_role = RoleFactory(name="Composed By")
    martinez = ArtistFactory(name="Cliff Martinez", slug="cliff-martinez")
    invada = LabelFactory(name="Invada", slug="invada")
    game = FilmFactory(kind="game")
    releases = {
        "drive": ReleaseFactory(title="Drive", original_year=2011),
        "solaris": ReleaseFactory(title="Solaris", original_year=2002),
        "fez": ReleaseFactory(title="Fez", original_year=2012, film=game),
        "shining": ReleaseFactory(title="The Shining", original_year=1980),
    }
    PressingFactory(release=releases["drive"], label=invada, colour_family="pink")
    PressingFactory(release=releases["drive"], label=invada, format="cd")
    PressingFactory(release=releases["solaris"], label=invada)
    PressingFactory(release=releases["fez"], format="2lp", colour_family="blue")
    PressingFactory(release=releases["shining"], format="lp")
    CreditFactory(release=releases["drive"], artist=martinez, role=composer_role)
    CreditFactory(release=releases["solaris"], artist=martinez, role=composer_role)
    return releases


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Drive", "Solaris", "Fez", "The Shining"]),
        ("?colour=pink", ["Drive"]),
        ("?format=cd", ["Drive"]),
        ("?label=invada", ["Drive", "Solaris"]),
        ("?composer=cliff-martinez", ["Drive", "Solaris"]),
        ("?composer=cliff-martinez&decade=2000", ["Solaris"]),
        ("?decade=1980", ["The Shining"]),
        ("?kind=game", ["Fez"]),
        ("?label=invada&format=lp", ["Drive", "Solaris"]),
        ("?sort=title", ["Drive", "Fez", "Solaris", "The Shining"]),
    ],
)
def test_list_filters_combine(client, query, expected, django_assert_max_num_queries):
    make_catalogue()
    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalogue:release-list") + query)
    assert response.status_code == 200
    titles = card_titles(response)
    if "sort" in query:
        assert titles == expected
    else:
        assert sorted(titles) == sorted(expected)


def test_bad_filter_values_are_reported_and_ignored(client):
    make_catalogue()
    response = client.get(
        reverse("catalogue:release-list"),
        {
            "format": "8track",
            "label": "nobody",
            "decade": "x",
            "sort": "drop table",
            "page": "zz",
            "colour": "pink",
        },
    )
    assert response.status_code == 200
    assert card_titles(response) == ["Drive"]
    text = text_of(response)
    assert "Some filters could not be used" in text
    assert "There is no such label" in text


def test_active_filters_are_removable_links(client):
    make_catalogue()
    response = client.get(reverse("catalogue:release-list"), {"colour": "pink", "label": "invada"})
    html = response.content.decode()
    assert 'href="?label=invada"' in html  # removes the colour
    assert 'href="?colour=pink"' in html  # removes the label
    assert "Vinyl colour: Pink" in text_of(response)
    assert "Label: Invada" in text_of(response)


def test_pagination_keeps_filters_in_stable_urls(client, django_assert_max_num_queries):
    label = LabelFactory(slug="big")
    for release in ReleaseFactory.create_batch(30):
        PressingFactory(release=release, label=label)
    with django_assert_max_num_queries(8):
        first = client.get(reverse("catalogue:release-list"), {"label": "big"})
    assert len(card_titles(first)) == 24
    assert 'href="?label=big&amp;page=2"' in first.content.decode()
    second = client.get(reverse("catalogue:release-list"), {"label": "big", "page": 2})
    assert len(card_titles(second)) == 6
    assert not set(card_titles(first)) & set(card_titles(second))


def test_list_query_count_does_not_grow_with_releases(client):
    ReleaseFactory.create_batch(3)
    few = queries_for(client, reverse("catalogue:release-list"))
    for release in ReleaseFactory.create_batch(20):
        PressingFactory(release=release, edition_size=300)
    assert queries_for(client, reverse("catalogue:release-list")) == few


def test_list_filters_use_exists_not_duplicating_joins(client):
    release = ReleaseFactory(title="Many Pressings")
    for _ in range(3):
        PressingFactory(release=release, format=Pressing.Format.LP)
    response = client.get(reverse("catalogue:release-list"), {"format": "lp"})
    assert card_titles(response) == ["Many Pressings"]


def test_artist_page_lists_scores_and_appearances(
    client, drive, django_assert_max_num_queries, django_assert_num_queries
):
    other = ReleaseFactory(title="Contagion")
    add_track(other, "A1", "Guest spot", 100, [(drive.credits.get().artist, "")])
    kavinsky_page = reverse("catalogue:artist-detail", args=["kavinsky"])
    martinez_page = reverse("catalogue:artist-detail", args=["cliff-martinez"])
    with django_assert_max_num_queries(8):
        response = client.get(martinez_page)
    text = text_of(response)
    assert "Scores composed" in text
    assert drive.title in text.split("Scores composed")[1].split("Appears on")[0]
    assert "Contagion" in text.split("Appears on")[1]
    # The artist with their film credits, their release ids, the one shelf with releases (its
    # cards, picked among the ids in the same statement): a shelf with no ids costs no query.
    with django_assert_num_queries(3):
        kavinsky = client.get(kavinsky_page)
    assert drive.title in text_of(kavinsky).split("Appears on")[1]


def test_artist_page_lists_film_credits_and_unknown_addresses_are_not_found(client, drive):
    artist = drive.credits.get().artist
    other_film = FilmFactory(title="Contagion")
    FilmCredit.objects.create(film=other_film, artist=artist, role=RoleFactory(name="Music By"))
    FilmCredit.objects.create(film=drive.film, artist=artist, role=RoleFactory(name="Score By"))
    text = text_of(client.get(artist.get_absolute_url()))
    films = text.split("Films")[1]
    assert f"{other_film} music by" in films and f"{drive.film} score by" in films
    assert client.get(reverse("catalogue:artist-detail", args=["nobody"])).status_code == 404
    assert client.get(reverse("catalogue:label-detail", args=["no-label"])).status_code == 404


def test_label_and_film_pages(client, drive, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        label = client.get(reverse("catalogue:label-detail", args=["invada"]))
    assert drive.title in text_of(label)
    with django_assert_max_num_queries(8):
        film = client.get(drive.film.get_absolute_url())
    assert drive.title in text_of(film)
    assert "No. 1 film of 2011" in text_of(film)


def test_related_releases_by_film_composer_and_riyl(client, drive):
    score_only = ReleaseFactory(title="Drive: the score only", film=drive.film)
    # Same film and same composer: shown once, in the first place it has.
    CreditFactory(
        release=score_only, artist=drive.credits.get().artist, role=RoleFactory(name="Composed By")
    )
    same_composer = ReleaseFactory(title="Solaris")
    CreditFactory(
        release=same_composer,
        artist=drive.credits.get().artist,
        role=RoleFactory(name="Composed By"),
    )
    riyl_overlap = ReleaseFactory(title="OutRun")
    CreditFactory(
        release=riyl_overlap, artist=drive.riyl.first().artist, role=RoleFactory(name="Performer")
    )
    ReleaseFactory(title="Unrelated")
    ReleaseFactory(title="Hidden", status=Status.DRAFT, film=drive.film, published_at=None)
    draft_by_composer = ReleaseFactory(title="Unfinished", status=Status.DRAFT, published_at=None)
    CreditFactory(
        release=draft_by_composer,
        artist=drive.credits.get().artist,
        role=RoleFactory(name="Composed By"),
    )
    scheduled_riyl = ReleaseFactory(
        title="Next Week", published_at=timezone.now() + timezone.timedelta(days=7)
    )
    RiylEntryFactory(release=scheduled_riyl, artist=drive.riyl.first().artist)
    response = client.get(drive.get_absolute_url())
    related = text_of(response).split("You might also like")[1]
    assert (
        related.index("Drive: the score only") < related.index("Solaris") < related.index("OutRun")
    )
    for hidden in ("Unrelated", "Hidden", "Unfinished", "Next Week"):
        assert hidden not in related
    release = ReleaseDetailView(kwargs={"slug": drive.slug}).get_object()
    assert [r.title for r in related_releases(release)] == [
        "Drive: the score only",
        "Solaris",
        "OutRun",
    ]
    assert [r.title for r in related_releases(release, limit=2)] == [
        "Drive: the score only",
        "Solaris",
    ]


def test_related_lists_stop_once_enough_releases_are_found(drive):
    """The later lists run only while the earlier ones hold fewer releases than are shown."""
    composer = drive.credits.get().artist
    same_film = [ReleaseFactory(film=drive.film) for _ in range(2)]
    same_composer = ReleaseFactory(title="Solaris")
    CreditFactory(release=same_composer, artist=composer, role=RoleFactory(name="Composed By"))

    def reasons(limit):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT release_id, reason FROM catalogue_related_releases("
                "%s, %s, %s::bigint[], %s, %s::bigint[], %s, %s)",
                [drive.film_id, drive.pk, [composer.pk], "Composed By", [], limit * 2, limit],
            )
            return cursor.fetchall()

    assert reasons(2) == [(release.pk, 1) for release in same_film]
    assert reasons(3) == [(release.pk, 1) for release in same_film] + [(same_composer.pk, 2)]


def test_sitemap_lists_only_published_releases(drive):
    from catalogue.sitemaps import ReleaseSitemap

    ReleaseFactory(title="Draft", status=Status.DRAFT, published_at=None)
    assert [release.slug for release in ReleaseSitemap().items()] == ["drive"]


@pytest.mark.parametrize("sort", ["newest", "title", "price"])
def test_list_pages_hold_the_same_releases_as_slices_of_the_list(sort):
    same_moment = timezone.now() - timezone.timedelta(days=1)
    for n in range(11):
        release = ReleaseFactory(
            title=f"Score {n % 4}", slug=f"score-{n}", published_at=same_moment
        )
        if n % 3:
            pressing_on_sale(release=release, amount=Decimal(10 + n % 5))
    form = ReleaseFilterForm({"sort": sort})
    releases = form.order(cards(form.apply(Release.objects.published())))
    expected = [[r.pk for r in releases[i : i + 4]] for i in range(0, 11, 4)]
    # A first window of one page (the whole order beyond it), of two (the third page in the
    # whole order), of every page, and no windows.
    for window_pages in (1, 2, 3, None):
        paginator = CappedPaginator(releases, 4)
        paginator.window_pages = window_pages
        pages = [[r.pk for r in paginator.page(n).object_list] for n in paginator.page_range]
        assert pages == expected


@pytest.mark.parametrize("sort", ["newest", "price"])
def test_a_list_is_read_whole_beyond_its_first_window(sort, django_assert_num_queries):
    for n in range(30):
        pressing_on_sale(release=ReleaseFactory(slug=f"score-{n}"), amount=Decimal(40 - n))
    form = ReleaseFilterForm({"sort": sort})
    releases = form.order(form.apply(Release.objects.published()))

    def paginator():
        made = CappedPaginator(releases, 4)
        made.window_pages = 2
        return made

    with django_assert_num_queries(3):  # the count, the first window's ids, the cards
        paginator().page(1)
    with django_assert_num_queries(1):  # the cards: the count and the first window are kept
        paginator().page(2)
    with django_assert_num_queries(2):  # the whole order, the cards
        paginator().page(3)
    with django_assert_num_queries(1):  # the cards: the count and the order are kept
        page = paginator().page(8)
    # The newest are the last made; the cheapest too (40 - n).
    assert [r.slug for r in page.object_list] == ["score-1", "score-0"]


def test_a_new_release_shows_on_list_pages_at_once(client):
    ReleaseFactory(
        title="Older", slug="older", published_at=timezone.now() - timezone.timedelta(days=2)
    )
    assert "Older" in client.get("/releases/").content.decode()
    ReleaseFactory(
        title="Newest", slug="newest", published_at=timezone.now() - timezone.timedelta(days=1)
    )
    page = client.get("/releases/").content.decode()
    assert "Newest" in page and page.index("Newest") < page.index("Older")


# 10,000: the artist's release ids are gathered first; 1: the shelves walk the releases in
# order, as for an artist on thousands of releases.
@pytest.mark.parametrize("ids_below", [10_000, 1])
def test_artist_page_shows_the_newest_appearances_of_both_kinds(client, monkeypatch, ids_below):
    monkeypatch.setattr("catalogue.models.ARTIST_IDS_BELOW", ids_below)
    artist = ArtistFactory(slug="busy")
    producer = RoleFactory(name="Producer")
    composer = RoleFactory(name="Composed By")
    shown = []
    for year in range(1980, 2010):
        release = ReleaseFactory(title=f"Album {year}", original_year=year)
        if year % 2:
            CreditFactory(release=release, artist=artist, role=producer)
        else:
            add_track(release, "A1", "Guest", 100, [(artist, "")])
        if year % 5 == 0:
            CreditFactory(release=release, artist=artist, role=composer)
        else:
            shown.append(release.title)
    draft = ReleaseFactory(title="Unreleased", original_year=2020, status=Status.DRAFT)
    CreditFactory(release=draft, artist=artist, role=producer)
    CreditFactory(
        release=ReleaseFactory(title="Own score", original_year=1975), artist=artist, role=composer
    )
    response = client.get(reverse("catalogue:artist-detail", args=["busy"]))
    scores, appears_on = response.content.decode().split("Appears on")
    titles = re.findall(r'class="card__title">(.*?)</span>', appears_on)
    assert titles == shown[::-1][:ARTIST_SHELF]
    composed = re.findall(r'class="card__title">(.*?)</span>', scores)
    assert composed == [f"Album {year}" for year in range(2005, 1979, -5)] + ["Own score"]


def listed_count(client, url):
    html = client.get(url).content.decode()
    return re.search(r'class="listing__count"[^>]*>\s*([\d,]+) release', html).group(1)


def test_a_lists_count_is_shared_by_its_pages_and_sorts(client):
    ReleaseFactory.create_batch(3)
    assert listed_count(client, "/releases/") == "3"
    with CaptureQueriesContext(connection) as captured:
        assert listed_count(client, "/releases/?sort=title") == "3"
    assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)


def test_each_set_of_filters_keeps_its_own_count_and_pages(client):
    for n in range(3):
        PressingFactory(release=ReleaseFactory(title=f"LP {n}"), format=Pressing.Format.LP)
    PressingFactory(release=ReleaseFactory(title="CD 0"), format=Pressing.Format.CD)
    invada = LabelFactory(slug="invada")
    PressingFactory(release=ReleaseFactory(title="LP on Invada"), format="lp", label=invada)
    assert listed_count(client, "/releases/?format=lp") == "4"
    assert listed_count(client, "/releases/?format=cd") == "1"
    assert listed_count(client, "/releases/?label=invada&format=lp") == "1"
    assert listed_count(client, "/releases/?format=lp&label=invada&page=1") == "1"  # same filters
    assert listed_count(client, "/releases/?format=lp&label=nowhere") == "4"  # no such label
    by_title = card_titles(client.get("/releases/?format=lp&sort=title"))
    assert by_title == ["LP 0", "LP 1", "LP 2", "LP on Invada"]
    newest = card_titles(client.get("/releases/?format=lp"))
    assert newest == by_title[::-1]  # the factories publish each later than the one before


def test_a_lists_count_follows_a_new_release_and_a_sell_out_at_once(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_TEST_CHECKOUT = True
    on_sale = pressing_on_sale(release=ReleaseFactory(title="Drive"), on_hand=1)
    ReleaseFactory(title="Solaris")
    assert listed_count(client, "/releases/") == "2"
    assert listed_count(client, "/releases/?in_stock=1") == "1"
    ReleaseFactory(title="Stalker")
    assert listed_count(client, "/releases/") == "3"
    buyer = Client()
    buyer.post("/cart/add/", {"pressing": on_sale.pk, "quantity": 1})
    with django_capture_on_commit_callbacks(execute=True):
        assert buyer.post("/checkout/", {"email": "fan@example.com"}).status_code == 302
    assert listed_count(client, "/releases/?in_stock=1") == "0"


def test_the_track_list_escapes_every_value_it_prints(client):
    hostile = '<img src=x onerror="alert(1)">&'
    release = ReleaseFactory(title="Escapes")
    track = TrackFactory(release=release, position="A1", title=hostile, scene_note=hostile)
    TrackArtistFactory(
        track=track, artist=ArtistFactory(name=hostile), credited_as="", join_phrase=" <b>&</b>"
    )
    TrackFactory(release=release, position="B1", title="Plain", duration=None)
    html = client.get(release.get_absolute_url()).content.decode()
    tracklist = html.split('<section class="tracklist"')[1].split("</section>")[0]
    assert "<img" not in tracklist
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;"
    # The title, the scene note and the artist's name; then the join phrase.
    assert tracklist.count(escaped) == 3
    assert " &lt;b&gt;&amp;&lt;/b&gt;" in tracklist
    assert '<h3 class="side__heading">Side A</h3>' in tracklist
    assert '<time datetime="PT180S">3:00</time>' in tracklist  # the factory's 180 s
    assert "Total running time" in tracklist


def test_a_pressing_shows_every_fact_it_has_escaped(client):
    release = ReleaseFactory(title="Facts")
    PressingFactory(
        release=release,
        label=LabelFactory(name="Sacred <Bones>"),
        catalogue_number="SB<1>",
        colour="Blood & smoke",
        effect="<splatter>",
        edition_year=2024,
        country="UK & Ireland",
        barcode="0123<4>",
        matrix="SIDE A <etched>\r\nSIDE B",
        notes="Obi strip & poster",
        exclusive="<b>Shop</b> exclusive",
        release_date=timezone.localdate() + timezone.timedelta(days=30),
        availability=Pressing.Availability.ANNOUNCED,
    )
    PressingFactory(release=release, availability=Pressing.Availability.OUT_OF_PRINT, order=1)
    html = client.get(release.get_absolute_url()).content.decode()
    pressings = html.split('<ul class="pressings">')[1].split("</ul>\n")[0]
    assert "<splatter>" not in pressings and "<etched>" not in pressings
    assert "LP, Blood &amp; smoke &lt;splatter&gt;</h3>" in pressings
    assert '>Sacred &lt;Bones&gt;</a> – <span class="catno">SB&lt;1&gt;</span>' in pressings
    assert "<dt>Edition</dt><dd>2024, UK &amp; Ireland</dd>" in pressings
    assert '<dd class="catno">0123&lt;4&gt;</dd>' in pressings
    assert '<dd class="catno">SIDE A &lt;etched&gt;<br>SIDE B</dd>' in pressings
    assert '<p class="pressing__notes">Obi strip &amp; poster</p>' in pressings
    assert "&lt;b&gt;Shop&lt;/b&gt; exclusive" in pressings
    out = timezone.localdate() + timezone.timedelta(days=30)
    assert f"Pre-order: out {out.day} {out:%B %Y}" in pressings
    assert '<span class="badge badge--preorder">Announced</span>' in pressings
    assert '<span class="badge badge--soldout">Out of print</span>' in pressings


def test_a_price_change_reorders_the_price_sort_at_once(client):
    from shop.models import Price

    pressing_on_sale(release=ReleaseFactory(title="Cheap", slug="cheap"), amount=20)
    dear = pressing_on_sale(release=ReleaseFactory(title="Dear", slug="dear"), amount=30)
    page = client.get("/releases/?sort=price").content.decode()
    assert page.index("Cheap") < page.index("Dear")
    price = Price.objects.get(pressing=dear)
    price.amount = Decimal("10.00")
    price.save()  # as the admin saves it
    page = client.get("/releases/?sort=price").content.decode()
    assert page.index("Dear") < page.index("Cheap")
