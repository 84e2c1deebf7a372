"""Seed the eight prohibited-content categories from the policy (registry/policy.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from registry.policy import PROHIBITED_CATEGORIES

    Category = apps.get_model("moderation", "ProhibitedCategory")
    for position, c in enumerate(PROHIBITED_CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=c.code,
            defaults={
                "policy_wording": c.policy_wording,
                "plain": c.plain,
                "legal_reference": c.legal_reference,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
