"""Full-text search over releases: a stored, weighted search vector and a dictionary of words for typos."""

import functools
import html
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.postgres.search import SearchQuery
from django.db import connection, models, transaction

from catalogue.compiled import TEXT_MARK, PreparedSQL
from catalogue.escaping import markup

WORD_RE = re.compile(r"[^\W_]+")
# Words people add to a search that say nothing about which release they mean:
# "drive ost" is "drive". Searched for only when nothing else is left.
NOISE_WORDS = frozenset(
    {
        "a", "an", "and", "the", "of", "from", "to", "in", "on", "by", "for",
        "ost", "soundtrack", "soundtracks", "score", "scores", "original", "motion", "picture",
        "vinyl", "lp", "lps", "album", "record", "records", "music", "edition",
    }
)  # fmt: skip
MAX_WORDS = 8
# Matches are counted up to this many ("more than 200 matches"), and up to this many are ranked
# one by one; a broader search is listed in an order indexes give (see BestFirst).
MATCHES_COUNTED = 200
# Close spellings are only sought for words this long: shorter ones match too much.
FUZZY_MIN_LENGTH = 4
CORRECTIONS_PER_WORD = 3
# A query word standing for more title words than this ("th") is looked for as a prefix.
TITLE_WORDS_PER_WORD = 20
# A query word starting more words of the search vectors than this is looked for as a prefix;
# one starting fewer, as those words (prefix_terms).
WORDS_PER_PREFIX = 20
# Words the query parser reads back as themselves: to_tsquery splits others ("jay-z", "1.2"),
# so a query word starting one of those stays a prefix.
PLAIN_WORD_RE = re.compile(r"[^\W_]+")
NEWEST = ("-published_at", "-id")
# ts_rank's weights for D, C, B, A: title and film count most, track titles least.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]


def query_words(raw):
    """The words of a search worth looking for, lower-cased; noise words dropped when others remain."""
    words = [w.lower() for w in WORD_RE.findall(raw or "")]
    meaningful = [w for w in words if w not in NOISE_WORDS and len(w) > 1]
    return list(dict.fromkeys(meaningful or words))[:MAX_WORDS]


def raw_tsquery(text):
    """to_tsquery('simple', text): the text already in tsquery's syntax (search_releases)."""
    return SearchQuery(text, search_type="raw", config="simple")


@dataclass
class SearchResult:
    scope: models.QuerySet  # the releases searched (published, filtered)
    words: list[str]
    # The query's text, as to_tsquery('simple', …) reads it: each word as the words of the
    # catalogue it starts, or as a prefix (prefix_terms).
    tsquery_text: str
    # The same query with each word as a prefix, as typed: the same matches (prefix_terms), and
    # what the ranking scores, so the order of the matches does not depend on how many words of
    # the catalogue a prefix stands for.
    rank_tsquery_text: str
    # The same words in the releases' own titles, or None when some word is in no title.
    title_tsquery_text: str | None
    # The query as probably meant ("there will be blood" for "there will be blod").
    phrase: str
    # Words of the catalogue close in spelling to a query word none starts: "kavinksy" -> Kavinsky.
    corrections: list[str] = field(default_factory=list)
    # Text naming ``scope`` exactly, under which the SQL of this search's statements is kept
    # (``kept_sql``); None to compile each from the querysets.
    scope_key: str | None = None
    _count: int | None = field(default=None, init=False, repr=False)

    @cached_property
    def tsquery(self):
        return raw_tsquery(self.tsquery_text)

    @cached_property
    def title_tsquery(self):
        return raw_tsquery(self.title_tsquery_text) if self.title_tsquery_text else None

    @cached_property
    def releases(self):
        """Every match, in no order."""
        return self.scope.filter(search_vector=self.tsquery)

    def statement(self, key, sql_of):
        """(sql, params) of ``sql_of(scope, matches, title_tsquery)`` for this search: compiled
        from its querysets, or, when the search has a scope key, from the SQL kept under it and
        ``key`` with this search's words in place (``kept_sql``)."""
        if self.scope_key is None:
            return sql_of(self.scope, self.releases, self.title_tsquery)
        kept = kept_sql(
            (self.scope_key, *key),
            lambda: sql_of(self.scope, self.scope.filter(search_vector=QUERY_MARK), TITLE_MARK),
        )
        words = {"query": self.tsquery_text, "title": self.title_tsquery_text}
        return kept.with_values(**{name: words[name] for name in kept.slots})

    def newest_ids(self, pick, low, high):
        """The ids of ``pick(scope, matches, title_tsquery)``, newest first, ``low`` to ``high``."""
        sql, params = self.statement(
            (pick.__name__, low, high),
            lambda scope, matches, title: (
                pick(scope, matches, title)
                .order_by(*NEWEST)
                .values_list("pk", flat=True)[low:high]
                .query.sql_with_params()
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]

    @property
    def highlight_terms(self):
        return [*self.words, *(w.lower() for w in self.corrections)]

    @property
    def count(self):
        """How many releases match, counted up to one more than MATCHES_COUNTED."""
        if self._count is None:
            self._count = self.releases.values("pk").order_by()[: MATCHES_COUNTED + 1].count()
        return self._count

    @cached_property
    def ranking(self):
        """The ids of every match, best first, or None when there are more than MATCHES_COUNTED;
        counts them too (``count``), in the same statement.

        Counting and ranking each had to find the matches: one statement finds them once, keeps
        them, counts them, and ranks them only if they are few enough. Best first is ts_rank over
        the weighted vector (title and film first, track titles last) plus the title's
        similarity to the query as probably meant; then newest first.
        """
        sql, params = self.statement(
            ("ranked", MATCHES_COUNTED),
            lambda scope, matches, title: (
                matches.values("pk", "published_at", "title", "search_vector")
                .order_by()[: MATCHES_COUNTED + 1]
                .query.sql_with_params()
            ),
        )
        sql = RANKED_SQL.replace("{MATCHES}", sql)
        params = [*params, MATCHES_COUNTED, RANK_WEIGHTS, self.rank_tsquery_text, self.phrase]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            self._count, ids = cursor.fetchone()
        return ids

    def best_first(self, cards):
        """The matches, best first, for a Paginator to slice; ``cards(ids)`` fetches a page's
        releases in the order of ``ids`` (catalogue.selectors.cards_in_order)."""
        return BestFirst(self, cards)


class BestFirst:
    """Matches in order of relevance, fetched a page at a time.

    Up to MATCHES_COUNTED matches are ranked one by one: ts_rank over the weighted vector (title
    and film first, track titles last) plus the title's similarity to the query. A broader search
    ("night" is in a third of a large catalogue) would rank tens of thousands of rows for one
    page, so it is listed in an order indexes give instead: releases whose own title holds every
    word first, then the others, newest first in each. Either way a page costs about the same
    whatever the size of the catalogue.
    """

    def __init__(self, result, cards):
        self.result = result
        self.cards = cards

    def count(self):
        return self.result.count

    def __len__(self):
        return self.result.count

    def __getitem__(self, page):
        result = self.result
        if not result.count:
            return []
        if result.ranking is not None:
            ids = result.ranking[page]
        else:
            ids = self.newest_title_matches_first(page.start or 0, page.stop - (page.start or 0))
        return self.cards(ids)

    def newest_title_matches_first(self, offset, size):
        result = self.result
        ids, has_title = [], result.title_tsquery is not None
        if has_title:
            ids = result.newest_ids(title_matches, offset, offset + size)
        if len(ids) < size:
            # The title matches end on this page or before it: the others follow them.
            in_title = offset + len(ids)
            if has_title and offset and not ids:
                in_title = title_matches(result.scope, None, result.title_tsquery).count()
            elif not has_title:
                in_title = 0
            start = offset + len(ids) - in_title
            others = other_matches if has_title else all_matches
            ids += result.newest_ids(others, start, start + size - len(ids))
        return ids


# What BestFirst lists newest first, from the releases searched, their matches and the title
# query; for a key to the SQL kept, each is named by its function's name.
def title_matches(scope, matches, title_tsquery):
    """Releases whose title holds every word. The words of a title are words of the search
    vector, so each is a match: looked for in the scope, through the title's own index."""
    return scope.filter(title_vector=title_tsquery)


def other_matches(scope, matches, title_tsquery):
    return matches.exclude(title_vector=title_tsquery)


def all_matches(scope, matches, title_tsquery):
    return matches


@dataclass
class QueryWord:
    """What the dictionary of words says of one word of a query."""

    # Catalogue words it starts, found in release titles ("nigh": night, nightcall, …).
    title_words: list[str] = field(default_factory=list)
    # Words of the search vectors it starts (SearchLexeme), up to WORDS_PER_PREFIX + 1.
    starts: list[str] = field(default_factory=list)
    # For a word no catalogue word starts: the closest catalogue words, (word, display, in titles).
    close: list[tuple[str, str, bool]] = field(default_factory=list)


def look_up_words(words):
    """{word: QueryWord} for the words of a query, from the dictionary, in one query.

    A word some catalogue word starts with is taken as meant; the others are looked up by trigram
    similarity (the ``%`` operator at pg_trgm's default threshold of 0.3, through the GIN
    trigram index). Both are index lookups in a table of distinct words.
    """
    found = {word: QueryWord() for word in words}
    with connection.cursor() as cursor:
        cursor.execute(
            WORDS_SQL,
            {
                "words": words,
                "fuzzy_min_length": FUZZY_MIN_LENGTH,
                "title_words": TITLE_WORDS_PER_WORD + 1,
                "starts": WORDS_PER_PREFIX + 1,
                "close": CORRECTIONS_PER_WORD,
            },
        )
        for query_word, kind, word, display, in_titles in cursor.fetchall():
            if kind == "title":
                found[query_word].title_words.append(word)
            elif kind == "starts":
                found[query_word].starts.append(word)
            else:
                found[query_word].close.append((word, display, in_titles))
    return found


def prefix_terms(word, starts, *, expand=True):
    """What stands for ``word`` in a query, given ``starts``, the words of the search vectors it
    starts (up to WORDS_PER_PREFIX + 1 of them): the same releases as the prefix ``word:*``
    always (SearchLexeme holds every word of every vector), at a lower cost where it can be.

    - No word starts with it (a misspelling): the word itself, which matches nothing, as the
      prefix would; but a prefix anywhere in a query has PostgreSQL read every row the index
      finds and test the query against its whole search vector again, 2 ms of the 2.2 of a
      misspelt artist's count at 10,000 releases.
    - With ``expand`` (a query of two words or more), at most WORDS_PER_PREFIX words, each one
      to_tsquery reads back as itself: those words. PostgreSQL reads a prefix from the GIN
      index by gathering every release holding a word that starts with it before intersecting
      them with the other words' ("pablo" in "pablo gudnaddottir": some thousand releases at
      100,000), where exact words are intersected as the index is read: 4-9 ms against 0.8-1.1
      ms of index scan for misspelt artists at 100,000.
    - Otherwise the prefix: a one-word query has nothing to intersect, and a common word is
      counted faster so (measured).
    """
    if not starts:
        return [tsquery_lexeme(word)]
    if (
        expand
        and len(starts) <= WORDS_PER_PREFIX
        and all(PLAIN_WORD_RE.fullmatch(w) for w in starts)
    ):
        return [tsquery_lexeme(w) for w in starts]
    return [f"{tsquery_lexeme(word)}:*"]


def tsquery_lexeme(word):
    """``word`` quoted for to_tsquery, whatever characters it holds."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def search_releases(queryset, words, scope_key=None):
    """Releases of ``queryset`` matching every word (as a prefix, or a close spelling).

    ``scope_key``, text naming ``queryset`` exactly (its SQL must hold no value of the moment,
    such as today's date), keeps the SQL of the search's statements under it (``kept_sql``).

    One index serves every match: the GIN on the stored weighted search vector. A word no
    catalogue word starts with ("driev", "kavinksy") is looked for as itself or as any of its
    close spellings from the dictionary of words (``look_up_words``).
    """
    looked_up = look_up_words(words)
    terms, rank_terms, title_terms = [], [], []
    for word in words:
        found = looked_up[word]
        close = [tsquery_lexeme(w) for w, _, _ in found.close]
        rank_terms.append("(" + " | ".join([f"{tsquery_lexeme(word)}:*", *close]) + ")")
        stands_for = prefix_terms(word, found.starts, expand=len(words) > 1)
        terms.append("(" + " | ".join([*stands_for, *close]) + ")")
        # In titles, the exact words the dictionary gives: the planner has statistics for exact
        # words, but for a prefix it knows nothing of it guesses, and a guess of "many" for a word
        # in no title has it walk every release newest first looking for one.
        in_titles = [tsquery_lexeme(w) for w in found.title_words]
        if len(in_titles) > TITLE_WORDS_PER_WORD:
            in_titles = [f"{tsquery_lexeme(word)}:*"]
        in_titles += [tsquery_lexeme(w) for w, _, in_title in found.close if in_title]
        title_terms.append("(" + " | ".join(in_titles) + ")" if in_titles else None)
    title_tsquery_text = " & ".join(title_terms) if all(title_terms) else None
    # The query as probably meant, to rank the titles closest to it first.
    phrase = " ".join(looked_up[w].close[0][0] if looked_up[w].close else w for w in words)
    displays = [display for w in words for _, display, _ in looked_up[w].close]
    return SearchResult(
        scope=queryset,
        words=words,
        tsquery_text=" & ".join(terms),
        rank_tsquery_text=" & ".join(rank_terms),
        title_tsquery_text=title_tsquery_text,
        phrase=phrase,
        corrections=list(dict.fromkeys(displays)),
        scope_key=scope_key,
    )


# Stand-ins for a search's words in the SQL kept by kept_sql().
QUERY_TEXT, TITLE_TEXT = TEXT_MARK, TEXT_MARK + "title"
QUERY_MARK, TITLE_MARK = raw_tsquery(QUERY_TEXT), raw_tsquery(TITLE_TEXT)
_kept = {}
KEPT_SHAPES = 256


def kept_sql(key, compile_with_marks):
    """The SQL ``compile_with_marks()`` returns ((sql, params), the search's words as QUERY_MARK
    and TITLE_MARK), compiled once per process and key, to run with each search's words
    (PreparedSQL.with_values: not prepared, as a kept generic plan served the misspelt searches
    worse). Django compiled the same SQL for every search: 1-2 ms of CPU a page (docs)."""
    found = _kept.get(key)
    if found is None:
        sql, params = compile_with_marks()
        marks = {"query": QUERY_TEXT, "title": TITLE_TEXT}
        found = PreparedSQL(sql, params, **{n: m for n, m in marks.items() if m in params})
        if len(_kept) >= KEPT_SHAPES:
            _kept.clear()
        _kept[key] = found
    return found


def highlight(text, terms):
    """``text`` escaped, with every word starting with one of ``terms`` wrapped in <mark>.

    Escaped with html.escape, as Django's escape() does, without its lazy-string wrapper: a
    search page highlights some 90 pieces, and the wrapper cost more than the escaping."""
    text = text or ""
    pattern = _highlight_pattern(tuple(terms))
    if pattern is None:
        return markup(html.escape(text))
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        parts.append("<mark>" + html.escape(match.group()) + "</mark>")
        last = match.end()
    parts.append(html.escape(text[last:]))
    # Every piece of reader- or editor-supplied text above went through html.escape().
    return markup("".join(parts))


@functools.lru_cache(maxsize=64)
def _highlight_pattern(terms):
    """The pattern for ``terms``, None when none is left once empty ones are dropped. A page
    highlights the same terms in every card: the pattern is built once for them."""
    terms = [t for t in terms if t]
    if not terms:
        return None
    return re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        + r")\w*",
        re.IGNORECASE,
    )


def snippet(text, terms, width=120):
    """The stretch of ``text`` around its first match, highlighted, with ellipses where cut."""
    text = " ".join((text or "").split())
    start = 0
    lowered = text.lower()
    positions = [p for p in (lowered.find(t.lower()) for t in terms if t) if p >= 0]
    if positions:
        start = max(0, min(positions) - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return markup(prefix + highlight(piece, terms) + suffix)  # an ellipsis each side at most


def update_search_vectors(releases):
    """Recompute the stored search vector of the given releases, and the dictionary of words.

    Weights: A title and film; B artists (credits and track artists), labels and the companies
    named on pressings (licensors, distributors);
    C catalogue numbers; D track titles.
    The dictionary (SearchWord) gains the words of A, B and D, and loses those these releases
    no longer hold when no other release holds them either. SearchLexeme gains every word of the
    new vectors.
    """
    ids = list(releases.values_list("pk", flat=True))
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SEARCH_VECTOR_SQL, [ids])
        dropped = [word for (word,) in cursor.fetchall()]
        if dropped:
            cursor.execute(PRUNE_WORDS_SQL, [dropped])


def rebuild_search_words(cursor):
    """Fill the dictionary of words afresh from every release (after a migration or a bulk load)."""
    cursor.execute("DELETE FROM catalogue_searchword")
    cursor.execute(REBUILD_WORDS_SQL)


def analyze_catalogue():
    """Refresh the planner's statistics of the tables the search vector reads (after bulk loads)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE catalogue_release, catalogue_film, catalogue_credit, catalogue_artist, "
            "catalogue_track, catalogue_trackartist, catalogue_pressing, catalogue_pressingcompany, "
            "catalogue_label"
        )


# The parser's word tokens ("Kavinsky", "Jóhann", "timecop1983", "jay-z" and its parts), not
# numbers, URLs or punctuation; shorter than three letters they make poor corrections.
WORD_TOKENS = (
    "p.tokid IN (1, 2, 3, 9, 10, 11, 15, 16, 17) AND char_length(p.token) BETWEEN 3 AND 100"
)

SEARCH_VECTOR_SQL = """
WITH doc AS (
    SELECT r.id,
        coalesce(r.title, '') AS title,
        coalesce(r.title, '') || ' ' || coalesce(f.title, '') AS a,
        coalesce((SELECT string_agg(DISTINCT coalesce(nullif(c.credited_as, ''), ar.name), ' ')
                  FROM catalogue_credit c JOIN catalogue_artist ar ON ar.id = c.artist_id
                  WHERE c.release_id = r.id), '') || ' ' ||
        coalesce((SELECT string_agg(DISTINCT coalesce(nullif(ta.credited_as, ''), ar.name), ' ')
                  FROM catalogue_trackartist ta JOIN catalogue_artist ar ON ar.id = ta.artist_id
                  WHERE ta.release_id = r.id), '') || ' ' ||
        coalesce((SELECT string_agg(DISTINCT l.name, ' ') FROM catalogue_pressing p
                  JOIN catalogue_label l ON l.id = p.label_id WHERE p.release_id = r.id), '') || ' ' ||
        coalesce((SELECT string_agg(DISTINCT l.name, ' ') FROM catalogue_pressingcompany pc
                  JOIN catalogue_pressing p ON p.id = pc.pressing_id
                  JOIN catalogue_label l ON l.id = pc.company_id WHERE p.release_id = r.id), '') AS b,
        coalesce((SELECT string_agg(p.catalogue_number, ' ') FROM catalogue_pressing p
                  WHERE p.release_id = r.id), '') AS c,
        coalesce((SELECT string_agg(t.title, ' ') FROM catalogue_track t WHERE t.release_id = r.id), '') AS d
    FROM catalogue_release r LEFT JOIN catalogue_film f ON f.id = r.film_id
    WHERE r.id = ANY(%s)
),
-- Every part of the statement sees the rows as they were before it: these are the old words.
old AS (
    SELECT u.lexeme FROM doc JOIN catalogue_release r ON r.id = doc.id, unnest(r.search_vector) u
    WHERE u.weights && ARRAY['A', 'B', 'D']
),
updated AS (
    UPDATE catalogue_release r SET
        search_vector =
            setweight(to_tsvector('simple', doc.a), 'A') ||
            setweight(to_tsvector('simple', doc.b), 'B') ||
            setweight(to_tsvector('simple', doc.c), 'C') ||
            setweight(to_tsvector('simple', doc.d), 'D'),
        title_vector = to_tsvector('simple', doc.title),
        search_text = doc.a || ' ' || doc.b
    FROM doc WHERE doc.id = r.id
    RETURNING r.search_vector
),
-- Every word of the new vectors, in the same transaction (SearchLexeme: never removed). In
-- order, so two saves adding the same new words wait for each other rather than deadlock.
lexemes AS (
    INSERT INTO catalogue_searchlexeme (lexeme)
    SELECT DISTINCT u.lexeme FROM updated, unnest(updated.search_vector) u ORDER BY 1
    ON CONFLICT (lexeme) DO NOTHING
),
-- The dictionary's words (WORD_TOKENS).
token AS (
    SELECT lower(p.token) AS word, p.token, part.in_title
    FROM doc,
         LATERAL (VALUES (doc.title, true), (doc.a || ' ' || doc.b || ' ' || doc.d, false))
             AS part(text, in_title),
         ts_parse('default', part.text) p
    WHERE {WORD_TOKENS}
),
added AS (
    INSERT INTO catalogue_searchword AS w (word, display, in_titles)
    SELECT word, mode() WITHIN GROUP (ORDER BY token), bool_or(in_title) FROM token GROUP BY word
    ON CONFLICT (word) DO UPDATE SET in_titles = true WHERE excluded.in_titles AND NOT w.in_titles
)
SELECT lexeme FROM old EXCEPT SELECT word FROM token
""".replace("{WORD_TOKENS}", WORD_TOKENS)

# Of the words an update took out of some releases, those no release holds any more.
PRUNE_WORDS_SQL = """
DELETE FROM catalogue_searchword w
WHERE w.word = ANY(%s)
  AND NOT EXISTS (
      SELECT FROM catalogue_release r WHERE r.search_vector @@ quote_literal(w.word)::tsquery
  )
"""

# The same words as SEARCH_VECTOR_SQL's "token": search_text holds the A and B text (titles, film,
# names), track titles are D.
REBUILD_WORDS_SQL = """
INSERT INTO catalogue_searchword (word, display, in_titles)
SELECT lower(p.token), mode() WITHIN GROUP (ORDER BY p.token), bool_or(s.in_title)
FROM (SELECT title AS text, true AS in_title FROM catalogue_release
      UNION ALL SELECT search_text, false FROM catalogue_release
      UNION ALL SELECT title, false FROM catalogue_track) s,
     ts_parse('default', s.text) p
WHERE {WORD_TOKENS}
GROUP BY 1
""".replace("{WORD_TOKENS}", WORD_TOKENS)

# SearchResult.ranking: the matches (a query with its own parameters, up to MATCHES_COUNTED + 1
# rows) kept once; their count, and their ids best first when the count is at most
# MATCHES_COUNTED. The ranked subquery runs only when its CASE branch is taken.
RANKED_SQL = """
WITH m AS MATERIALIZED ({MATCHES}),
n AS (SELECT count(*) AS c FROM m)
SELECT n.c, CASE WHEN n.c <= %s THEN ARRAY(
    SELECT m.pk FROM m
    ORDER BY ts_rank(%s::real[], m.search_vector, to_tsquery('simple'::regconfig, %s))
             + similarity(m.title, %s) * 0.6 DESC,
             m.published_at DESC, m.pk DESC
) END
FROM n
"""

# For each query word: the title words it starts (a range of the C-collated primary key), the
# words of the search vectors it starts (SearchLexeme, the same way), and, when no word of the
# catalogue starts with it, the closest words by trigram similarity (the GIN trigram index).
WORDS_SQL = """
SELECT q.word, c.kind, c.word, c.display, c.in_titles
FROM unnest(%(words)s::text[]) WITH ORDINALITY AS q(word, n)
CROSS JOIN LATERAL (
    SELECT EXISTS (
        SELECT FROM catalogue_searchword k WHERE k.word >= q.word AND k.word < q.word || chr(1114111)
    ) AS known
) k
CROSS JOIN LATERAL (
    (SELECT 'title' AS kind, t.word, t.display, t.in_titles, 1.0::real AS score
     FROM catalogue_searchword t
     WHERE t.word >= q.word AND t.word < q.word || chr(1114111) AND t.in_titles
     ORDER BY t.word
     LIMIT %(title_words)s)
    UNION ALL
    (SELECT 'starts', l.lexeme, l.lexeme, false, 1.0::real
     FROM catalogue_searchlexeme l
     WHERE l.lexeme >= q.word AND l.lexeme < q.word || chr(1114111)
     ORDER BY l.lexeme
     LIMIT %(starts)s)
    UNION ALL
    (SELECT 'close', w.word, w.display, w.in_titles, similarity(w.word, q.word)
     FROM catalogue_searchword w
     WHERE NOT k.known AND char_length(q.word) >= %(fuzzy_min_length)s AND w.word %% q.word
     ORDER BY similarity(w.word, q.word) DESC, w.word
     LIMIT %(close)s)
) c
ORDER BY q.n, c.kind DESC, c.score DESC, c.word
"""
