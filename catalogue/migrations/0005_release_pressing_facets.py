"""The formats and colour families of a release's pressings, on the release's own row.

The list's format and colour filters had to look for a pressing of each release they passed: on a
deep page of a filtered list that was tens of thousands of lookups (docs/performance.md). The two
arrays are kept by statement-level triggers on catalogue_pressing, so every way of writing a
pressing (the admin, the importer, bulk loads, SQL) keeps them right, in the same transaction. A
statement touching many pressings (a bulk load) refreshes their releases in one UPDATE. A
trigger on catalogue_release fills them on every write of a release, so a model saved from an
older read cannot put back what its pressings no longer say.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

FUNCTIONS = """
CREATE FUNCTION catalogue_refresh_pressing_facets(release_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- The releases' rows are locked first, in id order. A statement reads the rows committed
    -- when it starts: the UPDATE below starts once a concurrent writer of the same release has
    -- committed, so it counts that writer's pressings too (counted before the lock, they would
    -- be lost). The UPDATE only writes the rows: catalogue_release_pressing_facets, below,
    -- computes both columns on every write of a release.
    PERFORM 1 FROM catalogue_release WHERE id = ANY(release_ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE catalogue_release SET pressing_formats = pressing_formats WHERE id = ANY(release_ids);
END
$$;

CREATE FUNCTION catalogue_pressing_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalogue_refresh_pressing_facets(ARRAY(SELECT release_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalogue_refresh_pressing_facets(ARRAY(SELECT release_id FROM old_rows));
    ELSE  -- an UPDATE may move a pressing from one release to another: both change
        PERFORM catalogue_refresh_pressing_facets(ARRAY(
            SELECT release_id FROM old_rows UNION SELECT release_id FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;

-- Whatever a write to a release says of the two columns (a form or a model saved from an older
-- read holds them as they were), the row gets them from its pressings.
CREATE FUNCTION catalogue_release_pressing_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.pressing_formats := ARRAY(SELECT DISTINCT p.format FROM catalogue_pressing p
                                  WHERE p.release_id = NEW.id ORDER BY 1);
    NEW.pressing_colours := ARRAY(SELECT DISTINCT p.colour_family FROM catalogue_pressing p
                                  WHERE p.release_id = NEW.id ORDER BY 1);
    RETURN NEW;
END
$$;

CREATE TRIGGER catalogue_release_pressing_facets BEFORE INSERT OR UPDATE ON catalogue_release
    FOR EACH ROW EXECUTE FUNCTION catalogue_release_pressing_facets();
CREATE TRIGGER catalogue_pressing_facets_insert AFTER INSERT ON catalogue_pressing
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_pressing_facets();
CREATE TRIGGER catalogue_pressing_facets_update AFTER UPDATE ON catalogue_pressing
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_pressing_facets();
CREATE TRIGGER catalogue_pressing_facets_delete AFTER DELETE ON catalogue_pressing
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_pressing_facets();

SELECT catalogue_refresh_pressing_facets(ARRAY(SELECT DISTINCT release_id FROM catalogue_pressing));
"""

DROP_FUNCTIONS = """
DROP TRIGGER catalogue_pressing_facets_insert ON catalogue_pressing;
DROP TRIGGER catalogue_pressing_facets_update ON catalogue_pressing;
DROP TRIGGER catalogue_pressing_facets_delete ON catalogue_pressing;
DROP TRIGGER catalogue_release_pressing_facets ON catalogue_release;
DROP FUNCTION catalogue_release_pressing_facets();
DROP FUNCTION catalogue_pressing_facets();
DROP FUNCTION catalogue_refresh_pressing_facets(bigint[]);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0004_search_words'),
    ]

    operations = [
        migrations.AddField(
            model_name='release',
            name='pressing_colours',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=10), default=list, editable=False),
        ),
        migrations.AddField(
            model_name='release',
            name='pressing_formats',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=10), default=list, editable=False),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        # The list's indexes carry the facets, built once the rows hold them.
        migrations.RemoveIndex(
            model_name='release',
            name='release_published_idx',
        ),
        migrations.RemoveIndex(
            model_name='release',
            name='release_title_idx',
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(fields=['status', '-published_at', '-id'], include=('pressing_formats', 'pressing_colours'), name='release_published_idx'),
        ),
        migrations.AddIndex(
            model_name='release',
            index=models.Index(fields=['title', 'id'], include=('status', 'published_at', 'pressing_formats', 'pressing_colours'), name='release_title_idx'),
        ),
    ]
