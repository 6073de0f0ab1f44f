# The access log and the write log move to the `audit` app. Their tables stay where they are here (no
# database operation); audit's first migration takes them over and renames them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="RecordAccess"),
            ],
            database_operations=[],
        ),
    ]
