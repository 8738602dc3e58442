"""What a release card shows beside its title, on the release's own row.

Every card (24 on a list or search page, six under a release, the shelves) looked up its
release's first composer (a credit, its role and its artist) and two facts about its pressings
(a limited one, a pre-order) in three subqueries: at 100,000 releases, on a list of releases
nobody had asked for, about a third of the cards statement's time (docs/performance.md). The
three columns are kept by triggers, as the pressing facets of 0005 are, so every way of writing
(the admin, the importer, bulk loads, SQL) keeps them right in the same transaction:

- the release's own BEFORE trigger computes them on every write of a release, so a model saved
  from an older read cannot put back what its credits or pressings no longer say;
- statement-level triggers on credits, and on artists and roles whose name changes, rewrite the
  releases concerned. 0005's pressing triggers already did that for pressings with functions
  that fit any table with a release_id: they lock the releases in id order and rewrite them, which
  runs every BEFORE trigger of the release. Renamed for what they do, the credits' triggers call
  them too.

"Composed By" is catalogue.models.COMPOSED_BY, the role the cards' composer has always come from.
"""

from django.db import migrations, models

# 0005's statement-level trigger function, calling the refresh function by the name given.
REFRESH_OF_ROWS = """
CREATE OR REPLACE FUNCTION catalogue_refresh_releases_of_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM {refresh}(ARRAY(SELECT release_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM {refresh}(ARRAY(SELECT release_id FROM old_rows));
    ELSE  -- an UPDATE may move a row from one release to another: both change
        PERFORM {refresh}(ARRAY(
            SELECT release_id FROM old_rows UNION SELECT release_id FROM new_rows));
    END IF;
    RETURN NULL;
END
$$;
"""

RENAME = """
ALTER FUNCTION catalogue_refresh_pressing_facets(bigint[]) RENAME TO catalogue_refresh_releases;
ALTER FUNCTION catalogue_pressing_facets() RENAME TO catalogue_refresh_releases_of_rows;
"""

CARD_FACTS = r"""
CREATE FUNCTION catalogue_release_card_facts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.card_composer := COALESCE((
        SELECT COALESCE(NULLIF(c.credited_as, ''), a.name)
          FROM catalogue_credit c
          JOIN catalogue_role r ON r.id = c.role_id
          JOIN catalogue_artist a ON a.id = c.artist_id
         WHERE c.release_id = NEW.id AND c.track_id IS NULL AND r.name = 'Composed By'
         ORDER BY c."order", c.id
         LIMIT 1), '');
    NEW.has_limited_pressing := EXISTS(
        SELECT 1 FROM catalogue_pressing p
         WHERE p.release_id = NEW.id AND p.edition_size IS NOT NULL);
    NEW.latest_pressing_date := (
        SELECT max(p.release_date) FROM catalogue_pressing p WHERE p.release_id = NEW.id);
    RETURN NEW;
END
$$;

-- An artist or a role renamed: the releases whose composer credit names it. TG_ARGV[0] is the
-- credit's column that refers to the renamed table's rows.
CREATE FUNCTION catalogue_renamed_card_facts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    release_ids bigint[];
BEGIN
    EXECUTE format(
        'SELECT ARRAY(SELECT DISTINCT c.release_id'
        '  FROM old_rows o JOIN new_rows n ON n.id = o.id'
        '  JOIN catalogue_credit c ON c.%I = n.id AND c.track_id IS NULL'
        ' WHERE o.name IS DISTINCT FROM n.name)',
        TG_ARGV[0]) INTO release_ids;
    PERFORM catalogue_refresh_releases(release_ids);
    RETURN NULL;
END
$$;

CREATE TRIGGER catalogue_release_card_facts BEFORE INSERT OR UPDATE ON catalogue_release
    FOR EACH ROW EXECUTE FUNCTION catalogue_release_card_facts();
CREATE TRIGGER catalogue_credit_releases_insert AFTER INSERT ON catalogue_credit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_refresh_releases_of_rows();
CREATE TRIGGER catalogue_credit_releases_update AFTER UPDATE ON catalogue_credit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_refresh_releases_of_rows();
CREATE TRIGGER catalogue_credit_releases_delete AFTER DELETE ON catalogue_credit
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_refresh_releases_of_rows();
CREATE TRIGGER catalogue_artist_card_facts AFTER UPDATE ON catalogue_artist
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_renamed_card_facts('artist_id');
CREATE TRIGGER catalogue_role_card_facts AFTER UPDATE ON catalogue_role
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_renamed_card_facts('role_id');

UPDATE catalogue_release SET card_composer = card_composer;
"""

DROP_CARD_FACTS = """
DROP TRIGGER catalogue_role_card_facts ON catalogue_role;
DROP TRIGGER catalogue_artist_card_facts ON catalogue_artist;
DROP TRIGGER catalogue_credit_releases_delete ON catalogue_credit;
DROP TRIGGER catalogue_credit_releases_update ON catalogue_credit;
DROP TRIGGER catalogue_credit_releases_insert ON catalogue_credit;
DROP TRIGGER catalogue_release_card_facts ON catalogue_release;
DROP FUNCTION catalogue_renamed_card_facts();
DROP FUNCTION catalogue_release_card_facts();
"""

RENAME_BACK = """
ALTER FUNCTION catalogue_refresh_releases(bigint[]) RENAME TO catalogue_refresh_pressing_facets;
ALTER FUNCTION catalogue_refresh_releases_of_rows() RENAME TO catalogue_pressing_facets;
"""

FUNCTIONS = RENAME + REFRESH_OF_ROWS.format(refresh="catalogue_refresh_releases") + CARD_FACTS
DROP_FUNCTIONS = (
    DROP_CARD_FACTS
    + REFRESH_OF_ROWS.format(refresh="catalogue_refresh_pressing_facets")
    + RENAME_BACK
)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0008_related_releases_function")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="card_composer",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="release",
            name="has_limited_pressing",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="release",
            name="latest_pressing_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
    ]
