"""Every database gets Việt Nam as a shipping country: checkout forms fix the country to it."""

from django.db import migrations

VIETNAM_COUNTRY = {
    "iso_3166_1_a3": "VNM",
    "iso_3166_1_numeric": "704",
    "printable_name": "Việt Nam",
    "name": "Socialist Republic of Viet Nam",
    "display_order": 1,
}


def add_vietnam(apps, schema_editor):
    Country = apps.get_model("address", "Country")
    country, created = Country.objects.get_or_create(
        iso_3166_1_a2="VN", defaults={**VIETNAM_COUNTRY, "is_shipping_country": True}
    )
    if not created and not country.is_shipping_country:
        country.is_shipping_country = True
        country.save(update_fields=["is_shipping_country"])


class Migration(migrations.Migration):
    dependencies = [
        ("address", "0008_province_commune_codes"),
    ]

    operations = [
        # Reversing keeps the row: addresses and orders may point at it by then.
        migrations.RunPython(add_vietnam, migrations.RunPython.noop),
    ]
