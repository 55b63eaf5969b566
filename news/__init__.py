"""News of the OCOP programme: articles, categories, tags and their feeds."""
