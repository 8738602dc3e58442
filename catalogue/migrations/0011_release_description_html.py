"""Each release's details kept as sanitised HTML, rendered from their Markdown when the release is
saved (Release.save); this fills the column for the releases already written."""

from django.db import migrations, models

from catalogue.markdown import render_markdown

BATCH = 2000


def render_descriptions(apps, schema_editor):
    Release = apps.get_model("catalogue", "Release")
    batch = []
    for release in Release.objects.exclude(description="").only("id", "description").iterator(
        chunk_size=BATCH
    ):
        release.description_html = render_markdown(release.description)
        batch.append(release)
        if len(batch) == BATCH:
            Release.objects.bulk_update(batch, ["description_html"])
            batch = []
    Release.objects.bulk_update(batch, ["description_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0010_related_releases_enough"),
    ]

    operations = [
        migrations.AddField(
            model_name="release",
            name="description_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_descriptions, migrations.RunPython.noop),
    ]
