"""The Editors group: writes the magazine and the catalogue's texts; never prices, stock, orders or users.

Permissions are granted by app label from an explicit allow-list, so models added to other apps
(the shop's prices, stock and orders; auth's users) are never included by accident.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
# app label -> the actions editors may take on every model of that app.
GRANTS = {
    "reviews": ("add", "change", "delete", "view"),
    "catalogue": ("add", "change", "view"),
}


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations run; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, actions in GRANTS.items():
        for permission in Permission.objects.filter(content_type__app_label=app_label):
            if permission.codename.split("_", 1)[0] in actions:
                group.permissions.add(permission)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("catalogue", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
