"""Template tags for event pages: the home page's strip of livestreams live right now."""

from django import template

from events.models import live_and_next

register = template.Library()


@register.inclusion_tag("events/includes/live_now_strip.html", takes_context=True)
def live_now_strip(context):
    """Livestreams live now and the next one coming; renders nothing when there are none."""
    live, upcoming = live_and_next()
    return {"request": context.get("request"), "live": live, "upcoming": upcoming}
