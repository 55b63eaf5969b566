"""Every string a person reads has a Vietnamese and an English translation."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent.parent / "locale"


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_catalogue_is_complete(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalogue = read_po(po, locale=language)
    ids = [message.id for message in catalogue if message.id]
    assert len(ids) > 100
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and not (message.string if isinstance(message.string, str) else all(message.string))
    ]
    assert untranslated == []
    assert [message.id for message in catalogue if message.id and message.fuzzy] == []
    assert [error for message, errors in catalogue.check() for error in errors] == []
