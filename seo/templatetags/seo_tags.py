"""`{% seo_meta %}`: canonical, hreflang, Open Graph and Twitter card tags for <head>.

base.html and the shop's base call it with no arguments; a template that knows better
overrides `{% block seo %}` and passes title=…, description=…, og_type=….
"""

from django import template
from django.conf import settings

from seo.meta import share_metadata

register = template.Library()


@register.inclusion_tag("includes/seo_meta.html", takes_context=True)
def seo_meta(context, title="", description="", og_type="", description_tag=True):
    request = context.get("request")
    if request is None:  # e.g. an email rendered with the site's templates
        return {"seo": None}
    return {
        "seo": share_metadata(
            request,
            page=context.get("page"),
            product=context.get("product"),
            category=context.get("category"),
            title=title,
            description=description,
            og_type=og_type,
            site_name=context.get("site_name") or settings.OCOP_SITE_NAME,
        ),
        "description_tag": description_tag,
    }
