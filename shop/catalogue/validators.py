"""Limits on product photos uploaded through Oscar's dashboard: the same as every picture
upload of the site (size, pixels read from the header, no web code; config/uploads.py)."""

from config.uploads import validate_photo


def validate_photo_upload(file):
    validate_photo(file)
