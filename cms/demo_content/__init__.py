"""Demo pages of the content sections (news, fairs and livestreams, the directory).

They live in `cms` because the content apps import nothing from `cms` (DESIGN.md), while the demo
builds on the home page and on `cms.demo`'s helpers.
"""
