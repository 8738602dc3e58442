"""The words of the releases' search vectors (SearchLexeme), filled from the vectors already
written; catalogue.search.update_search_vectors adds the words of every vector it writes."""

from django.db import migrations, models

FILL_LEXEMES = """
INSERT INTO catalogue_searchlexeme (lexeme)
SELECT DISTINCT u.lexeme FROM catalogue_release r, unnest(r.search_vector) u
WHERE r.search_vector IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0011_release_description_html"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchLexeme",
            fields=[
                (
                    "lexeme",
                    models.TextField(db_collation="C", primary_key=True, serialize=False),
                ),
            ],
        ),
        migrations.RunSQL(FILL_LEXEMES, migrations.RunSQL.noop),
    ]
