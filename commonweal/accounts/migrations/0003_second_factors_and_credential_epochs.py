import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def expire_existing_tokens(apps, schema_editor):
    """Tokens made before expiry existed expire 90 days after they were made (at once if older)."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + datetime.timedelta(days=90)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_audit_moves_to_its_own_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='credential_epoch',
            field=models.PositiveIntegerField(default=0, help_text="The holder's credential epoch when it was made; works only while it is theirs"),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(help_text='The token stops working at this time', null=True),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(help_text='The token stops working at this time'),
        ),
        migrations.AddField(
            model_name='user',
            name='credential_epoch',
            field=models.PositiveIntegerField(default=0, help_text='Goes up when the password changes, the person signs out everywhere or an administrator resets their factors: every session and API token of an earlier epoch stops working.'),
        ),
        migrations.CreateModel(
            name='Passkey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='What the person calls it, e.g. their phone', max_length=100)),
                ('credential_id', models.CharField(help_text='base64url, as sent', max_length=1400, unique=True)),
                ('public_key', models.BinaryField()),
                ('sign_count', models.PositiveBigIntegerField(default=0)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_used_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='passkeys', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['created_at'],
            },
        ),
    ]
