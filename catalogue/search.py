"""Full-text search over releases: a stored, weighted search vector and trigram typo tolerance."""

from django.db import connection


def update_search_vectors(releases):
    """Recompute the stored search vector of the given releases in one statement.

    Weights: A title and film; B artists (credits and track artists) and labels;
    C catalogue numbers; D track titles.
    """
    ids = list(releases.values_list("pk", flat=True))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(SEARCH_VECTOR_SQL, [ids])


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
                  JOIN catalogue_label l ON l.id = p.label_id WHERE p.release_id = r.id), '') AS b,
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
