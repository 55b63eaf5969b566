"""A storage whose disk has gone away: every call raises OSError."""

from django.core.files.storage import FileSystemStorage


class BrokenStorage(FileSystemStorage):
    def exists(self, name):
        raise OSError("Input/output error: /srv/media-volume-7f3a")

    def _save(self, name, content):
        raise OSError("Input/output error: /srv/media-volume-7f3a")
