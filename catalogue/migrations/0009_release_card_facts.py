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
  releases concerned, through catalogue_refresh_release_rows(), which locks them in id order;
- the pressing triggers of 0005 already rewrite a pressing's release.

"Composed By" is catalogue.models.COMPOSED_BY, the role the cards' composer has always come from.
"""

from django.db import migrations, models

FUNCTIONS = r"""
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

-- The same as catalogue_refresh_pressing_facets (0005): the rows locked in id order, then
-- rewritten, which runs the release's BEFORE triggers.
CREATE FUNCTION catalogue_refresh_release_rows(release_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM catalogue_release WHERE id = ANY(release_ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE catalogue_release SET card_composer = card_composer WHERE id = ANY(release_ids);
END
$$;

CREATE FUNCTION catalogue_credit_card_facts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalogue_refresh_release_rows(ARRAY(
            SELECT release_id FROM new_rows WHERE track_id IS NULL));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalogue_refresh_release_rows(ARRAY(
            SELECT release_id FROM old_rows WHERE track_id IS NULL));
    ELSE  -- a credit may move between releases, or between a track and its release
        PERFORM catalogue_refresh_release_rows(ARRAY(
            SELECT release_id FROM old_rows WHERE track_id IS NULL
            UNION SELECT release_id FROM new_rows WHERE track_id IS NULL));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION catalogue_artist_card_facts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalogue_refresh_release_rows(ARRAY(
        SELECT DISTINCT c.release_id
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          JOIN catalogue_credit c ON c.artist_id = n.id AND c.track_id IS NULL
         WHERE o.name IS DISTINCT FROM n.name));
    RETURN NULL;
END
$$;

CREATE FUNCTION catalogue_role_card_facts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalogue_refresh_release_rows(ARRAY(
        SELECT DISTINCT c.release_id
          FROM old_rows o JOIN new_rows n ON n.id = o.id
          JOIN catalogue_credit c ON c.role_id = n.id AND c.track_id IS NULL
         WHERE o.name IS DISTINCT FROM n.name));
    RETURN NULL;
END
$$;

CREATE TRIGGER catalogue_release_card_facts BEFORE INSERT OR UPDATE ON catalogue_release
    FOR EACH ROW EXECUTE FUNCTION catalogue_release_card_facts();
CREATE TRIGGER catalogue_credit_card_facts_insert AFTER INSERT ON catalogue_credit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_credit_card_facts();
CREATE TRIGGER catalogue_credit_card_facts_update AFTER UPDATE ON catalogue_credit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_credit_card_facts();
CREATE TRIGGER catalogue_credit_card_facts_delete AFTER DELETE ON catalogue_credit
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_credit_card_facts();
CREATE TRIGGER catalogue_artist_card_facts AFTER UPDATE ON catalogue_artist
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_artist_card_facts();
CREATE TRIGGER catalogue_role_card_facts AFTER UPDATE ON catalogue_role
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_role_card_facts();

UPDATE catalogue_release SET card_composer = card_composer;
"""

DROP_FUNCTIONS = """
DROP TRIGGER catalogue_role_card_facts ON catalogue_role;
DROP TRIGGER catalogue_artist_card_facts ON catalogue_artist;
DROP TRIGGER catalogue_credit_card_facts_delete ON catalogue_credit;
DROP TRIGGER catalogue_credit_card_facts_update ON catalogue_credit;
DROP TRIGGER catalogue_credit_card_facts_insert ON catalogue_credit;
DROP TRIGGER catalogue_release_card_facts ON catalogue_release;
DROP FUNCTION catalogue_role_card_facts();
DROP FUNCTION catalogue_artist_card_facts();
DROP FUNCTION catalogue_credit_card_facts();
DROP FUNCTION catalogue_refresh_release_rows(bigint[]);
DROP FUNCTION catalogue_release_card_facts();
"""


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
