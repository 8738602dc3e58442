"""Full-text search over releases: a stored, weighted search vector and trigram typo tolerance."""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Upper
from django.utils.html import escape
from django.utils.safestring import mark_safe

from catalogue.models import Artist, Credit, TrackArtist

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
# Trigram matches are only sought for words this long: shorter ones match too much.
FUZZY_MIN_LENGTH = 4
FUZZY_ARTIST_LIMIT = 20
FUZZY_RELEASE_LIMIT = 500
# ts_rank's weights for D, C, B, A: title and film count most, track titles least.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]


def query_words(raw):
    """The words of a search worth looking for, lower-cased; noise words dropped when others remain."""
    words = [w.lower() for w in WORD_RE.findall(raw or "")]
    meaningful = [w for w in words if w not in NOISE_WORDS and len(w) > 1]
    return list(dict.fromkeys(meaningful or words))[:MAX_WORDS]


@dataclass
class SearchResult:
    releases: models.QuerySet
    words: list[str]
    # Artists found by spelling similarity rather than an exact word: "kavinksy" -> Kavinsky.
    close_artists: list[str] = field(default_factory=list)

    @property
    def highlight_terms(self):
        terms = list(self.words)
        for name in self.close_artists:
            terms += query_words(name)
        return terms


def search_releases(queryset, words):
    """Releases of ``queryset`` matching every word (as a prefix), or close in spelling, ranked.

    Three sources, each served by an index: the stored weighted search vector (GIN), the
    trigram similarity of the title (GIN on UPPER(title)), and releases crediting an artist
    whose name is close to the query (GIN on UPPER(name)). Annotates ``rank``.
    """
    tsquery = SearchQuery(
        " & ".join(f"'{word}':*" for word in words), search_type="raw", config="simple"
    )
    phrase = " ".join(words).upper()
    fuzzy_terms = list(
        dict.fromkeys([phrase, *(w.upper() for w in words if len(w) >= FUZZY_MIN_LENGTH)])
    )
    close_artists = list(
        Artist.objects.annotate(upper_name=Upper("name"))
        .filter(reduce(or_, (Q(upper_name__trigram_similar=term) for term in fuzzy_terms)))
        .annotate(similarity=TrigramSimilarity(Upper("name"), phrase))
        .order_by("-similarity", "name")
        .values_list("pk", "name")[:FUZZY_ARTIST_LIMIT]
    )
    condition = Q(search_vector=tsquery) | Q(upper_title__trigram_similar=phrase)
    close_release_ids = []
    if close_artists:
        artist_ids = [pk for pk, _ in close_artists]
        close_release_ids = list(
            Credit.objects.filter(artist_id__in=artist_ids)
            .values_list("release_id", flat=True)
            .union(
                TrackArtist.objects.filter(artist_id__in=artist_ids).values_list(
                    "track__release_id", flat=True
                )
            )
            .order_by()[:FUZZY_RELEASE_LIMIT]
        )
        if close_release_ids:
            condition |= Q(pk__in=close_release_ids)
    close_bonus = Value(0.0)
    if close_release_ids:
        close_bonus = Case(
            When(pk__in=close_release_ids, then=Value(0.3)),
            default=Value(0.0),
            output_field=models.FloatField(),
        )
    releases = (
        queryset.annotate(upper_title=Upper("title"))
        .filter(condition)
        .annotate(
            rank=SearchRank(F("search_vector"), tsquery, weights=RANK_WEIGHTS)
            + TrigramSimilarity(Upper("title"), phrase) * Value(0.6)
            + close_bonus
        )
    )
    return SearchResult(releases, words, [name for _, name in close_artists])


def highlight(text, terms):
    """``text`` escaped, with every word starting with one of ``terms`` wrapped in <mark>."""
    text = text or ""
    terms = [t for t in terms if t]
    if not terms:
        return escape(text)
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        + r")\w*",
        re.IGNORECASE,
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append("<mark>" + escape(match.group()) + "</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    # Every piece of reader- or editor-supplied text above went through escape().
    return mark_safe("".join(parts))  # noqa: S308


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
    return mark_safe(escape(prefix) + highlight(piece, terms) + escape(suffix))  # noqa: S308


def update_search_vectors(releases):
    """Recompute the stored search vector of the given releases in one statement.

    Weights: A title and film; B artists (credits and track artists), labels and the companies
    named on pressings (licensors, distributors);
    C catalogue numbers; D track titles.
    """
    ids = list(releases.values_list("pk", flat=True))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(SEARCH_VECTOR_SQL, [ids])


def analyze_catalogue():
    """Refresh the planner's statistics of the tables the search vector reads (after bulk loads)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE catalogue_release, catalogue_film, catalogue_credit, catalogue_artist, "
            "catalogue_track, catalogue_trackartist, catalogue_pressing, catalogue_pressingcompany, "
            "catalogue_label"
        )


SEARCH_VECTOR_SQL = """
WITH doc AS (
    SELECT r.id,
        coalesce(r.title, '') || ' ' || coalesce(f.title, '') AS a,
        coalesce((SELECT string_agg(DISTINCT coalesce(nullif(c.credited_as, ''), ar.name), ' ')
                  FROM catalogue_credit c JOIN catalogue_artist ar ON ar.id = c.artist_id
                  WHERE c.release_id = r.id), '') || ' ' ||
        coalesce((SELECT string_agg(DISTINCT coalesce(nullif(ta.credited_as, ''), ar.name), ' ')
                  FROM catalogue_trackartist ta JOIN catalogue_track t ON t.id = ta.track_id
                  JOIN catalogue_artist ar ON ar.id = ta.artist_id WHERE t.release_id = r.id), '') || ' ' ||
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
)
UPDATE catalogue_release r SET
    search_vector =
        setweight(to_tsvector('simple', doc.a), 'A') ||
        setweight(to_tsvector('simple', doc.b), 'B') ||
        setweight(to_tsvector('simple', doc.c), 'C') ||
        setweight(to_tsvector('simple', doc.d), 'D'),
    search_text = doc.a || ' ' || doc.b
FROM doc WHERE doc.id = r.id
"""
