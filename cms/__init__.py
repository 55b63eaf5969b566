"""Wagtail content: home page, site settings, and (later) news, fairs, livestreams, producers."""
