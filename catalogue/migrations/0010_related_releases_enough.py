"""catalogue_related_releases() stops once it has found enough releases.

The page shows the first six distinct releases of the four lists, in their order (same film,
same composer, a RIYL artist's releases, a RIYL artist's credits). When the earlier lists already
hold six, the later ones cannot change what is shown, yet each was read: on a release page nobody
had asked for, their rows were buffers to read (docs/performance.md). The function now takes how
many distinct releases are wanted and runs a list only while fewer have been found; what it
returns for the lists it runs is what it returned before.
"""

import importlib

from django.db import migrations

# Undone by putting 0008's function back.
_BEFORE = importlib.import_module("catalogue.migrations.0008_related_releases_function")

CREATE = r"""
DROP FUNCTION catalogue_related_releases(bigint, bigint, bigint[], text, bigint[], integer);

CREATE FUNCTION catalogue_related_releases(
    p_film bigint,
    p_release bigint,
    p_composers bigint[],
    p_composed_by text,
    p_riyl bigint[],
    p_each integer,
    p_wanted integer
) RETURNS TABLE (release_id bigint, reason integer)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    found bigint[];
    seen bigint[] := '{}';
BEGIN
    IF p_film IS NOT NULL THEN
        found := ARRAY(
            SELECT r.id FROM catalogue_release r
             WHERE r.film_id = p_film AND r.id <> p_release
               AND r.status = 'published' AND r.published_at <= statement_timestamp()
             LIMIT p_each);
        RETURN QUERY SELECT f.id, 1 FROM unnest(found) WITH ORDINALITY AS f(id, n) ORDER BY f.n;
        seen := seen || found;
    END IF;
    IF cardinality(p_composers) > 0
       AND (SELECT count(DISTINCT s) FROM unnest(seen) AS s) < p_wanted THEN
        found := ARRAY(
            SELECT c.release_id FROM catalogue_credit c
              JOIN catalogue_release r ON r.id = c.release_id
              JOIN catalogue_role role ON role.id = c.role_id
             WHERE c.artist_id = ANY(p_composers) AND role.name = p_composed_by
               AND c.release_id <> p_release
               AND r.status = 'published' AND r.published_at <= statement_timestamp()
             LIMIT p_each);
        RETURN QUERY SELECT f.id, 2 FROM unnest(found) WITH ORDINALITY AS f(id, n) ORDER BY f.n;
        seen := seen || found;
    END IF;
    IF cardinality(p_riyl) > 0
       AND (SELECT count(DISTINCT s) FROM unnest(seen) AS s) < p_wanted THEN
        found := ARRAY(
            SELECT e.release_id FROM catalogue_riylentry e
              JOIN catalogue_release r ON r.id = e.release_id
             WHERE e.artist_id = ANY(p_riyl) AND e.release_id <> p_release
               AND r.status = 'published' AND r.published_at <= statement_timestamp()
             LIMIT p_each);
        RETURN QUERY SELECT f.id, 3 FROM unnest(found) WITH ORDINALITY AS f(id, n) ORDER BY f.n;
        seen := seen || found;
        IF (SELECT count(DISTINCT s) FROM unnest(seen) AS s) < p_wanted THEN
            RETURN QUERY
            SELECT c.release_id, 3 FROM catalogue_credit c
              JOIN catalogue_release r ON r.id = c.release_id
             WHERE c.artist_id = ANY(p_riyl) AND c.track_id IS NULL
               AND c.release_id <> p_release
               AND r.status = 'published' AND r.published_at <= statement_timestamp()
             LIMIT p_each;
        END IF;
    END IF;
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0009_release_card_facts")]

    operations = [
        migrations.RunSQL(
            CREATE,
            "DROP FUNCTION catalogue_related_releases"
            "(bigint, bigint, bigint[], text, bigint[], integer, integer);\n" + _BEFORE.CREATE,
        )
    ]
