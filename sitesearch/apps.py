from django.apps import AppConfig


class SiteSearchConfig(AppConfig):
    """An app for its migration (the PostgreSQL index `ranking.py` queries with); no models."""

    name = "sitesearch"
