"""The release of each track credit, on the credit's own row.

An artist page asks which releases an artist is on, and for an artist on thousands of tracks,
whether each release in year order has a track by them: through the tracks, that was a lookup of
each of a release's tracks (30,000 for the busiest artist's shelf at 100,000 releases). With the
release on the credit, each answer is one lookup in an index.

Triggers keep the column right whatever writes the rows (the admin, the importer, bulk loads,
SQL). A credit's release is read from its track FOR SHARE: a transaction moving that track to
another release holds its row, so the read waits for it to commit and then sees where the track
went. A moved track's credits follow it in the same transaction (the UPDATE in
catalogue_track_moved sees credits committed while it waited, as each statement of a function
reads what is committed when it starts).
"""

import django.db.models.deletion
from django.db import migrations, models


FUNCTIONS = """
UPDATE catalogue_trackartist ta SET release_id = t.release_id
  FROM catalogue_track t WHERE t.id = ta.track_id;

CREATE FUNCTION catalogue_trackartist_release() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.release_id INTO NEW.release_id FROM catalogue_track t
     WHERE t.id = NEW.track_id FOR SHARE;
    RETURN NEW;
END
$$;

CREATE FUNCTION catalogue_track_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_trackartist SET release_id = NEW.release_id WHERE track_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalogue_trackartist_release
    BEFORE INSERT OR UPDATE OF track_id, release_id ON catalogue_trackartist
    FOR EACH ROW EXECUTE FUNCTION catalogue_trackartist_release();
CREATE TRIGGER catalogue_track_moved AFTER UPDATE OF release_id ON catalogue_track
    FOR EACH ROW WHEN (OLD.release_id IS DISTINCT FROM NEW.release_id)
    EXECUTE FUNCTION catalogue_track_moved();
"""

DROP_FUNCTIONS = """
DROP TRIGGER catalogue_track_moved ON catalogue_track;
DROP TRIGGER catalogue_trackartist_release ON catalogue_trackartist;
DROP FUNCTION catalogue_track_moved();
DROP FUNCTION catalogue_trackartist_release();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0005_release_pressing_facets'),
    ]

    operations = [
        migrations.AddField(
            model_name='trackartist',
            name='release',
            field=models.ForeignKey(db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalogue.release'),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.AlterField(
            model_name='trackartist',
            name='artist',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='track_credits', to='catalogue.artist'),
        ),
        migrations.AddIndex(
            model_name='trackartist',
            index=models.Index(fields=['artist', 'release'], name='trackartist_artist_release_idx'),
        ),
        migrations.AddIndex(
            model_name='trackartist',
            index=models.Index(fields=['release', 'artist'], name='trackartist_release_artist_idx'),
        ),
    ]
