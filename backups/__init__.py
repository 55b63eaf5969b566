"""Backups: the database and every media file, and a restore checked against what was saved."""
