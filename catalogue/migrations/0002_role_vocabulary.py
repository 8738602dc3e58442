"""The credit roles editors start with; they can add more in the admin."""

from django.db import migrations

ROLES = [
    ("Composed By", "composed-by"),
    ("Performer", "performer"),
    ("Vocals", "vocals"),
    ("Featuring", "featuring"),
    ("Conductor", "conductor"),
    ("Orchestrated By", "orchestrated-by"),
    ("Arranged By", "arranged-by"),
    ("Lyrics By", "lyrics-by"),
    ("Producer", "producer"),
    ("Music Supervisor", "music-supervisor"),
    ("Mixed By", "mixed-by"),
    ("Mastered By", "mastered-by"),
    ("Lacquer Cut By", "lacquer-cut-by"),
    ("Director", "director"),
    ("Artwork", "artwork"),
    ("Design", "design"),
    ("Photography By", "photography-by"),
    ("Liner Notes", "liner-notes"),
]


def add_roles(apps, schema_editor):
    Role = apps.get_model("catalogue", "Role")
    for index, (name, slug) in enumerate(ROLES):
        Role.objects.update_or_create(slug=slug, defaults={"name": name, "order": (index + 1) * 10})


def remove_roles(apps, schema_editor):
    Role = apps.get_model("catalogue", "Role")
    # Roles already used by a credit stay (credits protect them).
    Role.objects.filter(
        slug__in=[slug for _, slug in ROLES], credits__isnull=True, filmcredit__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(add_roles, remove_roles)]
