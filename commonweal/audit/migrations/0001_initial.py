# Takes over the tables that accounts created for the access log and the write log (accounts 0002 let
# them go), renames them to this app's names and moves their content types, so no row is copied or lost.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = {"auditevent": "accounts_auditevent", "recordaccess": "accounts_recordaccess"}


def move_content_types(apps, schema_editor, *, source, destination):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not content_type.objects.using(db).filter(app_label=destination, model=model).exists():
            content_type.objects.using(db).filter(app_label=source, model=model).update(app_label=destination)


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="accounts", destination="audit")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="audit", destination="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_audit_moves_to_its_own_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("action", models.CharField(help_text="Dotted name of the action, e.g. accounts.grant_role", max_length=100)),
                        ("target_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("detail", models.JSONField(blank=True, default=dict)),
                        ("occurred_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("target_type", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype")),
                    ],
                    options={
                        "ordering": ["-occurred_at", "-pk"],
                        "db_table": "accounts_auditevent",
                    },
                ),
                migrations.CreateModel(
                    name="RecordAccess",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("subject_id", models.PositiveBigIntegerField()),
                        ("reason", models.CharField(choices=[("caseload", "On their caseload"), ("referral", "Working on their referral"), ("household", "Their household is in my care"), ("organisation", "Connected to my organisation"), ("administration", "Managing their access to Commonweal"), ("break_glass", "Break-glass access")], max_length=20)),
                        ("detail", models.TextField(blank=True, help_text="Required for break-glass access")),
                        ("path", models.CharField(blank=True, max_length=500)),
                        ("accessed_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("subject_type", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="contenttypes.contenttype")),
                        ("subject_user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="accesses_to_my_record", to=settings.AUTH_USER_MODEL)),
                        ("viewer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="record_accesses", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name_plural": "record accesses",
                        "ordering": ["-accessed_at", "-pk"],
                        "indexes": [models.Index(fields=["subject_type", "subject_id", "-accessed_at"], name="accounts_re_subject_83b4d0_idx")],
                        "constraints": [models.CheckConstraint(condition=models.Q(models.Q(("reason", "break_glass"), _negated=True), models.Q(("detail", ""), _negated=True), _connector="OR"), name="record_access_break_glass_has_detail")],
                        "db_table": "accounts_recordaccess",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="auditevent", table=None),
        migrations.AlterModelTable(name="recordaccess", table=None),
        migrations.RenameIndex(
            model_name="recordaccess", new_name="record_access_subject_idx", old_name="accounts_re_subject_83b4d0_idx"
        ),
        migrations.RunPython(forwards, backwards),
    ]
