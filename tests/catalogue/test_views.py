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
from catalogue.models import Pressing, Release, Status
from catalogue.selectors import cards
from catalogue.views import ARTIST_SHELF, CappedPaginator
from tests.catalogue.conftest import add_track
from tests.factories import (
    ArtistFactory,
    CreditFactory,
    FilmFactory,
    LabelFactory,
    PressingFactory,
    ReleaseFactory,
    RoleFactory,
    TrackArtistFactory,
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


def test_artist_page_lists_scores_and_appearances(client, drive, django_assert_max_num_queries):
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
    assert drive.title in text_of(client.get(kavinsky_page)).split("Appears on")[1]


def test_label_and_film_pages(client, drive, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        label = client.get(reverse("catalogue:label-detail", args=["invada"]))
    assert drive.title in text_of(label)
    with django_assert_max_num_queries(8):
        film = client.get(drive.film.get_absolute_url())
    assert drive.title in text_of(film)
    assert "No. 1 film of 2011" in text_of(film)


def test_related_releases_by_film_composer_and_riyl(client, drive):
    ReleaseFactory(title="Drive: the score only", film=drive.film)
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
    response = client.get(drive.get_absolute_url())
    related = text_of(response).split("You might also like")[1]
    assert (
        related.index("Drive: the score only") < related.index("Solaris") < related.index("OutRun")
    )
    assert "Unrelated" not in related
    assert "Hidden" not in related


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
    paginator = CappedPaginator(releases, 4)
    pages = [[r.pk for r in paginator.page(n).object_list] for n in paginator.page_range]
    assert pages == [[r.pk for r in releases[i : i + 4]] for i in range(0, 11, 4)]


def test_artist_page_shows_the_newest_appearances_of_both_kinds(client):
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
    response = client.get(reverse("catalogue:artist-detail", args=["busy"]))
    appears_on = response.content.decode().split("Appears on")[1]
    titles = re.findall(r'class="card__title">(.*?)</span>', appears_on)
    assert titles == shown[::-1][:ARTIST_SHELF]


def listed_count(client, url):
    html = client.get(url).content.decode()
    return re.search(r'class="listing__count"[^>]*>\s*([\d,]+) release', html).group(1)


def test_a_lists_count_is_shared_by_its_pages_and_sorts(client):
    ReleaseFactory.create_batch(3)
    assert listed_count(client, "/releases/") == "3"
    with CaptureQueriesContext(connection) as captured:
        assert listed_count(client, "/releases/?sort=title") == "3"
    assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)


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
