"""Where a theme's templates and static files live.

A theme is a folder `themes/<name>/` with `templates/` and `static/`, holding only what differs
from `themes/default/`: the active theme is searched first and the default fills in the rest.
Settings and tests compute their directories from a theme name with these functions.
"""

from pathlib import Path

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
DEFAULT_THEME = "default"


def theme_template_dirs(name):
    candidates = [THEMES_DIR / name / "templates", THEMES_DIR / DEFAULT_THEME / "templates"]
    return list(dict.fromkeys(candidates))


def theme_static_dirs(name):
    candidates = [THEMES_DIR / name / "static", THEMES_DIR / DEFAULT_THEME / "static"]
    return [d for d in dict.fromkeys(candidates) if d.exists()]
