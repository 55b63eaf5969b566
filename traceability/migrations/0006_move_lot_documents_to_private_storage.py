"""Lot documents uploaded before they were private move out of public media."""

from django.core.files.storage import storages
from django.db import migrations


def move_documents(apps, schema_editor):
    lot_event = apps.get_model("traceability", "LotEvent")
    public, private = storages["default"], storages["private"]
    for event in lot_event.objects.exclude(document="").iterator():
        name = event.document.name
        if not public.exists(name):
            continue
        with public.open(name, "rb") as source:
            stored = private.save(name, source)
        if stored != name:
            lot_event.objects.filter(pk=event.pk).update(document=stored)
        public.delete(name)


class Migration(migrations.Migration):
    dependencies = [("traceability", "0005_private_documents_and_label_sheets")]

    operations = [migrations.RunPython(move_documents, migrations.RunPython.noop, elidable=True)]
