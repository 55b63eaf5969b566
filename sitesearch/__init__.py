"""One search box for the whole site: certified products and Wagtail pages, typed with or
without Vietnamese diacritics. See docs/search.md."""
