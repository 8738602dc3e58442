import re
from html import unescape

import pytest
from django.urls import reverse

from catalogue.models import Release
from catalogue.search import highlight, query_words, search_releases, update_search_vectors
from tests.catalogue.test_views import card_titles, text_of
from tests.factories import PressingFactory, ReleaseFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("catalogue:search")


@pytest.fixture
def shelf(drive):
    ReleaseFactory(title="Trainspotting", slug="trainspotting")
    ReleaseFactory(title="There Will Be Blood", slug="there-will-be-blood")
    ReleaseFactory(title="Velvet Goldmine", slug="velvet-goldmine")
    update_search_vectors(Release.objects.all())
    return drive


@pytest.mark.parametrize(
    "query",
    [
        "drive",
        "drive ost",
        "Drive soundtrack vinyl LP",
        "kavinksy",
        "kavinsky",
        "martinez",
        "INV109LP",
        "nightcall",
        "lakeshore",
    ],
)
def test_finds_drive(client, shelf, query, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert card_titles(response)[0] == shelf.title


def test_misspelt_title_is_found(client, shelf):
    assert card_titles(client.get(SEARCH, {"q": "trainspoting"}))[0] == "Trainspotting"
    assert card_titles(client.get(SEARCH, {"q": "there will be blod"}))[0] == "There Will Be Blood"


def test_title_outranks_track_title(client, shelf):
    ReleaseFactory(title="Blood Simple")
    other = ReleaseFactory(title="Car Songs")
    from tests.catalogue.conftest import add_track

    add_track(other, "A1", "Blood on the Road", 200)
    update_search_vectors(Release.objects.all())
    titles = card_titles(client.get(SEARCH, {"q": "blood"}))
    assert titles.index("Car Songs") > titles.index("There Will Be Blood")
    assert titles.index("Car Songs") > titles.index("Blood Simple")


def test_typo_match_is_highlighted_and_explained(client, shelf):
    response = client.get(SEARCH, {"q": "kavinksy"})
    html = response.content.decode()
    assert "<mark>Kavinsky</mark>" in html
    assert "close spellings: Kavinsky" in text_of(response)


def test_search_applies_the_list_filters(client, shelf):
    pink = client.get(SEARCH, {"q": "drive", "colour": "pink"})
    assert card_titles(pink) == [shelf.title]
    blue = client.get(SEARCH, {"q": "drive", "colour": "blue"})
    assert card_titles(blue) == []
    assert "with those filters" in text_of(blue)


def test_drafts_are_never_found(client, shelf):
    ReleaseFactory(title="Drive Secret Draft", status="draft", published_at=None)
    update_search_vectors(Release.objects.all())
    assert "Drive Secret Draft" not in card_titles(client.get(SEARCH, {"q": "drive secret"}))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "What are you looking for?"),
        ("   ", "What are you looking for?"),
        ("!!! ??? ***", "Nothing to search for"),
        ("zqxjv wpfkt", "No release matches"),
        ("x" * 500, "too long"),
        ("drive\x00", "Null characters are not allowed"),
        ("' OR 1=1; --", "Results for"),
        ("a & b | !c <-> d:*", "Results for"),
        ("qq:* & !", "No release matches"),
    ],
)
def test_odd_queries_get_a_helpful_page(client, shelf, query, message):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert message in text_of(response)


def test_query_is_escaped_everywhere(client, shelf):
    response = client.get(SEARCH, {"q": "<script>alert(1)</script> drive"})
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_highlight_escapes_text_and_terms():
    assert (
        highlight("<b>Drive</b> & co", ["drive"])
        == "&lt;b&gt;<mark>Drive</mark>&lt;/b&gt; &amp; co"
    )
    assert highlight("Kavinsky", ["<mark>"]) == "Kavinsky"


def test_noise_words_are_dropped_unless_nothing_else_is_left():
    assert query_words("Drive O.S.T. soundtrack on vinyl LP") == ["drive"]
    assert query_words("The Score") == ["the", "score"]
    assert query_words("drive drive DRIVE") == ["drive"]


def test_search_uses_indexes_not_pattern_scans(shelf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        list(search_releases(Release.objects.published(), ["kavinksy"]).releases)
    sql = " ".join(q["sql"] for q in captured).upper()
    assert " LIKE " not in sql
    assert "@@" in sql
    assert " % " in sql  # the trigram operator, served by the GIN trigram indexes


def test_results_paginate_with_the_query_in_the_links(client):
    for n in range(30):
        ReleaseFactory(title=f"Nocturne {n}")
    update_search_vectors(Release.objects.all())
    html = client.get(SEARCH, {"q": "nocturne"}).content.decode()
    assert 'href="?q=nocturne&amp;page=2"' in html
    assert len(card_titles(client.get(SEARCH, {"q": "nocturne", "page": 2}))) == 6
    assert re.search(r"30 matches", unescape(html))


def test_pink_filter_finds_the_hot_pink_pressing(client, shelf):
    PressingFactory(release=Release.objects.get(slug="trainspotting"), colour_family="orange")
    assert card_titles(client.get(reverse("catalogue:release-list"), {"colour": "pink"})) == [
        shelf.title
    ]
