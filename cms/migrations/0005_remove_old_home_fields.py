from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_move_home_fields_into_body"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='homepage',
            name='featured_count',
        ),
        migrations.RemoveField(
            model_name='homepage',
            name='hero_title',
        ),
        migrations.RemoveField(
            model_name='homepage',
            name='intro',
        ),
    ]
