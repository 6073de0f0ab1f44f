"""Outcome facts keep when the first and latest answers were given; the change is worked out when read.

The table is rebuilt by every refresh, so rows already there get a placeholder time until the next one.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_stakeholders_go_with_their_analysis")]

    operations = [
        migrations.RemoveField(model_name="outcomefact", name="change"),
        migrations.AddField(
            model_name="outcomefact",
            name="first_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outcomefact",
            name="latest_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
