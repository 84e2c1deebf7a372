"""Create the four staff roles as groups with their model permissions (DESIGN §1)."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "informator": [
        "add_board", "change_board", "view_board",
        "add_department", "change_department", "view_department",
        "add_channel", "change_channel", "view_channel",
        "add_appointment", "change_appointment", "view_appointment",
        "add_departmentdecision", "view_departmentdecision",
        "add_party", "change_party", "delete_party", "view_party",
        "view_changerecord",
    ],
    "forvaltningsadmin": [
        "view_board", "view_department",
        "add_channel", "change_channel", "view_channel",
        "add_appointment", "change_appointment", "view_appointment",
        "add_departmentdecision", "view_departmentdecision",
        "view_changerecord",
    ],
    "foretradare": ["view_channel", "view_appointment", "view_department"],
    "registrator": ["view_board", "view_department", "view_channel", "view_appointment", "view_changerecord"],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
