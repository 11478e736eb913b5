"""Seed the common source groups (DOMAIN.md, "Volunteers and teams")."""

from django.db import migrations

GROUPS = [
    ("党员干部", "Party members and officials"),
    ("五老", "The 'five elders'"),
    ("乡贤", "Respected locals"),
    ("退役军人", "Veterans"),
    ("大学生", "University students"),
    ("乡土人才", "Local talents"),
    ("科技能人", "Technical experts"),
    ("返乡创业", "Returned entrepreneurs"),
    ("道德模范", "Moral models"),
    ("群众", "Residents"),
]


def seed(apps, schema_editor):
    SourceGroup = apps.get_model("volunteers", "SourceGroup")
    for order, (name, name_en) in enumerate(GROUPS, start=1):
        SourceGroup.objects.get_or_create(name=name, defaults={"name_en": name_en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
