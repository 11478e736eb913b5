import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The entry's site id becomes a link to the site (the same column, no constraint), so
    that the trail is read through the site's scope."""

    dependencies = [
        migrations.swappable_dependency(settings.CIVIC_SITE_MODEL),
        ("civic", "0002_one_time_codes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="auditentry", name="site_id"),
                migrations.AddField(
                    model_name="auditentry",
                    name="site",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.CIVIC_SITE_MODEL,
                        verbose_name="site",
                    ),
                ),
            ],
        ),
    ]
