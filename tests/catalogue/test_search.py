import importlib
import re
from datetime import timedelta
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Release, SearchLexeme, SearchWord
from catalogue.search import (
    WORDS_PER_PREFIX,
    WORDS_SQL,
    highlight,
    look_up_words,
    prefix_terms,
    query_words,
    raw_tsquery,
    rebuild_search_words,
    search_releases,
    update_search_vectors,
)
from catalogue.selectors import cards_in_order
from catalogue.views import SearchPaginator
from tests.catalogue.conftest import add_track
from tests.catalogue.test_views import card_titles, text_of
from tests.factories import LabelFactory, PressingFactory, ReleaseFactory
from tests.locks import second_waits_for_first

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


def test_a_search_finds_its_matches_once_to_count_and_rank_them(client, shelf):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SEARCH, {"q": "drive"})
    assert card_titles(response)[0] == shelf.title
    assert "1 match" in text_of(response)
    matching = [q["sql"] for q in captured if '"search_vector" @@' in q["sql"]]
    assert len(matching) == 1, matching
    # Sorted otherwise, the matches are only counted, not ranked.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SEARCH, {"q": "drive", "sort": "title"})
    assert card_titles(response) == [shelf.title]
    assert not [q for q in captured if "ts_rank" in q["sql"]]


def test_misspelt_title_is_found(client, shelf):
    assert card_titles(client.get(SEARCH, {"q": "trainspoting"}))[0] == "Trainspotting"
    assert card_titles(client.get(SEARCH, {"q": "there will be blod"}))[0] == "There Will Be Blood"


def test_misspelt_word_in_a_long_title_is_found(client, shelf):
    ReleaseFactory(title="The Long Night at the Lighthouse Motel (Original Score)")
    update_search_vectors(Release.objects.all())
    assert card_titles(client.get(SEARCH, {"q": "driev"}))[0] == shelf.title
    assert card_titles(client.get(SEARCH, {"q": "night lighthuose"})) == [
        "The Long Night at the Lighthouse Motel (Original Score)"
    ]


def test_only_words_no_catalogue_word_starts_with_are_corrected(shelf):
    found = look_up_words(["drive", "nigh", "kavinsky", "kavinksy", "zzqxvj"])
    assert not any(found[w].close for w in ("drive", "nigh", "kavinsky", "zzqxvj"))
    assert ("kavinsky", "Kavinsky", False) in found["kavinksy"].close


def test_words_are_expanded_to_the_title_words_they_start(shelf):
    found = look_up_words(["blo", "kavinsky", "there"])
    assert found["blo"].title_words == ["blood"]
    assert found["kavinsky"].title_words == []  # an artist, in no release's title
    assert found["there"].title_words == ["there"]


def test_words_follow_edits_to_the_catalogue(shelf):
    other = ReleaseFactory(title="Velvet Underground Revue")
    update_search_vectors(Release.objects.filter(pk=other.pk))
    assert SearchWord.objects.get(word="underground").display == "Underground"
    assert SearchWord.objects.filter(word="revue").exists()

    Release.objects.filter(pk=other.pk).update(title="Velvet Overground")
    update_search_vectors(Release.objects.filter(pk=other.pk))
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert "overground" in words
    assert not {"underground", "revue"} & words
    # Still on "Velvet Goldmine".
    assert "velvet" in words


def test_rebuilt_words_match_the_words_kept_up_to_date(shelf):
    kept = set(SearchWord.objects.values_list("word", "display"))
    with connection.cursor() as cursor:
        rebuild_search_words(cursor)
    assert set(SearchWord.objects.values_list("word", "display")) == kept
    assert {"drive", "kavinsky", "nightcall", "lakeshore", "trainspotting"} <= {w for w, _ in kept}


def explain(sql, params):
    with connection.cursor() as cursor:
        # Tables of a few rows are cheaper to scan; a large catalogue's are not. The question
        # is whether an index can serve each condition, so scans are ruled out.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_words_are_looked_up_through_indexes(shelf):
    params = {
        "words": ["kavinksy"],
        "fuzzy_min_length": 4,
        "title_words": 21,
        "starts": 21,
        "close": 3,
    }
    plan = explain(WORDS_SQL, params)
    assert "searchword_trgm" in plan  # the trigram operator on the GIN index
    assert "catalogue_searchword_pkey" in plan  # "starts with" as a range of the primary key
    assert "catalogue_searchlexeme_pkey" in plan  # and of the search vectors' words


def matching(tsquery_text):
    return set(Release.objects.filter(search_vector=raw_tsquery(tsquery_text)))


def test_words_of_a_longer_query_stand_for_the_catalogue_words_they_start(shelf):
    """ "nigh kav": each word as the words of the search vectors it starts, not as a prefix,
    and the same releases as the prefixes find."""
    night = ReleaseFactory(title="Night Moves")
    update_search_vectors(Release.objects.filter(pk=night.pk))
    result = search_releases(Release.objects.all(), ["nigh", "kav"])
    assert result.tsquery_text == "('night' | 'nightcall') & ('kavinsky')"
    assert result.rank_tsquery_text == "('nigh':*) & ('kav':*)"
    assert matching(result.tsquery_text) == matching(result.rank_tsquery_text) == {shelf}
    # A word no catalogue word starts with matches nothing as a prefix or as itself: itself,
    # beside its close spellings.
    misspelt = search_releases(Release.objects.all(), ["kavinksy", "nightcal"])
    assert misspelt.tsquery_text == "('kavinksy' | 'kavinsky') & ('nightcall')"
    assert misspelt.rank_tsquery_text == "('kavinksy':* | 'kavinsky') & ('nightcal':*)"
    assert matching(misspelt.tsquery_text) == matching(misspelt.rank_tsquery_text) == {shelf}


def test_a_one_word_query_keeps_its_prefix_unless_no_word_starts_with_it(shelf):
    result = search_releases(Release.objects.all(), ["nigh"])
    assert result.tsquery_text == result.rank_tsquery_text == "('nigh':*)"
    misspelt = search_releases(Release.objects.all(), ["kavinksy"])
    assert misspelt.tsquery_text == "('kavinksy' | 'kavinsky')"
    assert matching(misspelt.tsquery_text) == matching(misspelt.rank_tsquery_text) == {shelf}
    nothing = search_releases(Release.objects.all(), ["zzqxvj"])
    assert nothing.tsquery_text == "('zzqxvj')"
    assert matching(nothing.tsquery_text) == matching(nothing.rank_tsquery_text) == set()


def test_a_prefix_of_many_words_or_of_words_the_parser_splits_stays_a_prefix():
    many = [f"night{n}" for n in range(WORDS_PER_PREFIX + 1)]
    assert prefix_terms("night", many) == ["'night':*"]
    assert prefix_terms("night", many[:WORDS_PER_PREFIX]) == [f"'{w}'" for w in many[:-1]]
    # to_tsquery would read "jay-z" as a phrase of three words, not as the one word it is.
    assert prefix_terms("jay", ["jay", "jay-z"]) == ["'jay':*"]
    assert prefix_terms("night", many[:2], expand=False) == ["'night':*"]  # a one-word query
    assert prefix_terms("zzq", []) == prefix_terms("zzq", [], expand=False) == ["'zzq'"]


def test_the_words_of_every_vector_are_kept_and_never_dropped(shelf):
    other = ReleaseFactory(title="Velvet Underground Revue", slug="velvet-underground")
    update_search_vectors(Release.objects.filter(pk=other.pk))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT u.lexeme FROM catalogue_release r, unnest(r.search_vector) u"
        )
        in_vectors = {lexeme for (lexeme,) in cursor.fetchall()}
    kept = set(SearchLexeme.objects.values_list("lexeme", flat=True))
    assert {"underground", "revue", "inv109lp", "nightcall"} <= in_vectors
    assert in_vectors <= kept
    # The migration that made the table filled it from the vectors the same way.
    fill = importlib.import_module("catalogue.migrations.0012_search_lexemes").FILL_LEXEMES
    SearchLexeme.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert set(SearchLexeme.objects.values_list("lexeme", flat=True)) == in_vectors
    Release.objects.filter(pk=other.pk).update(title="Velvet Overground")
    update_search_vectors(Release.objects.filter(pk=other.pk))
    assert {"overground", "underground"} <= set(
        SearchLexeme.objects.values_list("lexeme", flat=True)
    )
    # "under" stands for a word no release holds any more: it finds nothing, as the prefix does.
    result = search_releases(Release.objects.all(), ["under", "velvet"])
    assert "'underground'" in result.tsquery_text
    assert matching(result.tsquery_text) == matching(result.rank_tsquery_text) == set()


def test_matches_come_from_the_search_vector_index(shelf):
    releases = search_releases(Release.objects.all(), ["kavinksy", "night"]).releases
    plan = explain(*releases.query.sql_with_params())
    assert "release_search_idx" in plan
    assert "Seq Scan on catalogue_release" not in plan


def test_title_matches_come_from_the_title_index(shelf):
    result = search_releases(Release.objects.all(), ["driev"])
    in_title = Release.objects.filter(title_vector=result.title_tsquery)
    plan = explain(*in_title.query.sql_with_params())
    assert "release_title_vector_idx" in plan


@pytest.fixture
def many_matches(monkeypatch):
    """Past the number of matches ranked one by one (200 in production, 2 here)."""
    monkeypatch.setattr("catalogue.search.MATCHES_COUNTED", 2)
    monkeypatch.setattr(SearchPaginator, "cap", 2)
    now = timezone.now()
    songs = ReleaseFactory(title="Car Songs", published_at=now - timedelta(days=1))
    add_track(songs, "A1", "Night Drive", 200)
    ReleaseFactory(title="Night Moves", published_at=now - timedelta(days=2))
    ReleaseFactory(title="Fading Night", published_at=now - timedelta(days=3))
    ReleaseFactory(title="Night Tide", published_at=now - timedelta(days=4))
    older = ReleaseFactory(title="Harbour Lights", published_at=now - timedelta(days=5))
    add_track(older, "B2", "Nightfall", 200)
    update_search_vectors(Release.objects.all())


@pytest.mark.parametrize("scope_key", [None, "published releases"])
def test_a_broad_search_lists_title_matches_first_newest_first(many_matches, scope_key):
    result = search_releases(Release.objects.published(), ["night"], scope_key=scope_key)
    assert result.count == 3  # counting stopped one past the cap
    best = result.best_first(cards_in_order)
    order = ["Night Moves", "Fading Night", "Night Tide", "Car Songs", "Harbour Lights"]
    assert [r.title for r in best[0:5]] == order
    # Any page, wherever the title matches end.
    for start in range(5):
        for size in (1, 2, 3):
            assert [r.title for r in best[start : start + size]] == order[start : start + size]


@pytest.mark.parametrize("words", [["night"], ["nightfall"], ["nigth", "moves"], ["drive"]])
def test_a_search_runs_the_same_statements_from_kept_sql(many_matches, words):
    """The SQL kept for searches without filters is the SQL the querysets compile to, with the
    search's words in place: the same statements, page after page."""
    add_track(ReleaseFactory(), "A1", "Nightfall", 200)
    update_search_vectors(Release.objects.all())

    def statements(scope_key):
        with CaptureQueriesContext(connection) as captured:
            result = search_releases(Release.objects.published(), words, scope_key=scope_key)
            best = result.best_first(lambda ids: ids)
            pages = [best[start : start + 2] for start in range(0, 6, 2)]
        return pages, [q["sql"] for q in captured.captured_queries]

    compiled = statements(None)
    assert statements("published releases") == compiled
    # A second time, from the SQL kept by the first.
    assert statements("published releases") == compiled


def test_a_broad_search_page_stays_under_the_query_budget(
    client, many_matches, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(SEARCH, {"q": "night"})
    assert card_titles(response)[:3] == ["Night Moves", "Fading Night", "Night Tide"]
    assert "More than 2 matches" in text_of(response)


@pytest.mark.parametrize("scope_key", [None, "published releases"])
def test_a_broad_search_for_words_in_no_title_lists_the_newest_first(many_matches, scope_key):
    for days in (6, 7):
        release = ReleaseFactory(published_at=timezone.now() - timedelta(days=days))
        add_track(release, "A1", "Nightfall", 200)
    update_search_vectors(Release.objects.all())
    result = search_releases(Release.objects.published(), ["nightfall"], scope_key=scope_key)
    assert result.title_tsquery is None  # only ever a track's title
    assert result.count == 3
    titles = [r.title for r in result.best_first(cards_in_order)[0:3]]
    assert titles[0] == "Harbour Lights"


def test_title_outranks_track_title(client, shelf):
    ReleaseFactory(title="Blood Simple")
    other = ReleaseFactory(title="Car Songs")
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
    # No term left to look for: the text, escaped.
    assert highlight("Drive & co", ["", ""]) == "Drive &amp; co"
    assert highlight("Drive & co", []) == "Drive &amp; co"


def test_noise_words_are_dropped_unless_nothing_else_is_left():
    assert query_words("Drive O.S.T. soundtrack on vinyl LP") == ["drive"]
    assert query_words("The Score") == ["the", "score"]
    assert query_words("drive drive DRIVE") == ["drive"]


def test_search_uses_indexes_not_pattern_scans(shelf):
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        list(search_releases(Release.objects.published(), ["kavinksy"]).releases)
    sql = " ".join(q["sql"] for q in captured).upper()
    assert " LIKE " not in sql
    assert "@@" in sql
    assert " % " in sql  # the trigram operator, served by the dictionary's GIN trigram index


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


def test_explain_search_prints_the_plan_of_every_query(shelf):
    out = StringIO()
    call_command("explain_search", "kavinksy", stdout=out)
    text = out.getvalue()
    assert "close spellings ['Kavinsky'], 1 matches" in text
    assert text.count("Execution Time") >= 3  # close spellings, the count, the page of cards


def test_the_shared_filter_fields_follow_the_filters_and_the_labels(client, shelf):
    html = client.get(SEARCH, {"q": "drive", "format": "lp"}).content.decode()
    assert '<option value="lp" selected>' in html
    assert "Brand New Records" not in html
    LabelFactory(name="Brand New Records")
    html = client.get(SEARCH, {"q": "nightcall", "format": "cd"}).content.decode()
    assert '<option value="cd" selected>' in html
    assert '<option value="lp" selected>' not in html
    assert ">Brand New Records</option>" in html


@pytest.mark.django_db(transaction=True)
def test_two_saves_adding_the_same_new_words_both_keep_them():
    """The second save waits on the first's uncommitted words; both commit, and a search whose
    words stand for the new ones finds both releases."""
    first = ReleaseFactory(title="Zebrafish Quartet Nocturne")
    second = ReleaseFactory(title="Nocturne Zebrafish Quartet Reprise")
    errors = second_waits_for_first(
        lambda: update_search_vectors(Release.objects.filter(pk=first.pk)),
        lambda: update_search_vectors(Release.objects.filter(pk=second.pk)),
    )
    assert not errors
    kept = set(SearchLexeme.objects.values_list("lexeme", flat=True))
    assert {"zebrafish", "quartet", "nocturne", "reprise"} <= kept
    result = search_releases(Release.objects.all(), ["zebra", "quar"])
    assert result.tsquery_text == "('zebrafish') & ('quartet')"
    assert matching(result.tsquery_text) == {first, second}
