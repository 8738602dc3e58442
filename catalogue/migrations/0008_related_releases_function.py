"""catalogue_related_releases(): the candidates for a release page's "You might also like".

Four short lists (same film, same composer, a RIYL artist's releases, a RIYL artist's credits),
each capped, in that order. Sent as one UNION statement, PostgreSQL planned it on every page
(about 0.8 ms of planning against 0.3 ms of running at 100,000 releases), and a prepared
statement did not help: with the default plan_cache_mode it kept planning for the parameters,
because its estimate of the one plan for every release, arrays of artists and all, was higher
than that of the custom plans. That one plan, measured, is the right one: each list walks an
index and stops at its cap. A PL/pgSQL function keeps its statements' plans for the session,
and its SET clause makes them generic, so a page runs them from the kept plans
(docs/performance.md).
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION catalogue_related_releases(
    p_film bigint,
    p_release bigint,
    p_composers bigint[],
    p_composed_by text,
    p_riyl bigint[],
    p_each integer
) RETURNS TABLE (release_id bigint, reason integer)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    IF p_film IS NOT NULL THEN
        RETURN QUERY
        SELECT r.id, 1 FROM catalogue_release r
         WHERE r.film_id = p_film AND r.id <> p_release
           AND r.status = 'published' AND r.published_at <= statement_timestamp()
         LIMIT p_each;
    END IF;
    IF cardinality(p_composers) > 0 THEN
        RETURN QUERY
        SELECT c.release_id, 2 FROM catalogue_credit c
          JOIN catalogue_release r ON r.id = c.release_id
          JOIN catalogue_role role ON role.id = c.role_id
         WHERE c.artist_id = ANY(p_composers) AND role.name = p_composed_by
           AND c.release_id <> p_release
           AND r.status = 'published' AND r.published_at <= statement_timestamp()
         LIMIT p_each;
    END IF;
    IF cardinality(p_riyl) > 0 THEN
        RETURN QUERY
        SELECT e.release_id, 3 FROM catalogue_riylentry e
          JOIN catalogue_release r ON r.id = e.release_id
         WHERE e.artist_id = ANY(p_riyl) AND e.release_id <> p_release
           AND r.status = 'published' AND r.published_at <= statement_timestamp()
         LIMIT p_each;
        RETURN QUERY
        SELECT c.release_id, 3 FROM catalogue_credit c
          JOIN catalogue_release r ON r.id = c.release_id
         WHERE c.artist_id = ANY(p_riyl) AND c.track_id IS NULL
           AND c.release_id <> p_release
           AND r.status = 'published' AND r.published_at <= statement_timestamp()
         LIMIT p_each;
    END IF;
END;
$$;
"""

DROP = "DROP FUNCTION IF EXISTS catalogue_related_releases(bigint, bigint, bigint[], text, bigint[], integer);"


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0007_credit_artist_role_include")]

    operations = [migrations.RunSQL(CREATE, DROP)]
