"""Delete the stored copies of emails that carry a password-reset or alert link.

Oscar stored them before shop.communication.utils.Dispatcher stopped doing so; the link in a
stored copy would let whoever reads it into the customer's account.
"""

from django.db import migrations
from django.db.models import Q

# The paths of Oscar's password-reset and stock-alert links (oscar/config.py, customer app).
SECRET_PATHS = ("/password-reset/confirm/", "/alerts/confirm/", "/alerts/cancel/key/")


def stored_secrets(Email):
    carries = Q(pk__in=[])
    for path in SECRET_PATHS:
        carries |= Q(body_text__contains=path) | Q(body_html__contains=path)
    return Email.objects.filter(carries)


def forget_stored_secrets(apps, schema_editor):
    stored_secrets(apps.get_model("communication", "Email")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("communication", "0004_auto_20200801_0817"),
    ]

    operations = [
        migrations.RunPython(forget_stored_secrets, migrations.RunPython.noop),
    ]
