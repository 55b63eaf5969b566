from django import template

from insight import charts

register = template.Library()


@register.filter
def count(value):
    """A count with the language's thousands separator (1.250.000 in Vietnamese)."""
    return charts.count(value)
