"""Admin for news: the category snippet and the product chooser used by articles."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .choosers import product_chooser_viewset
from .models import NewsCategory


class NewsCategoryViewSet(SnippetViewSet):
    model = NewsCategory
    icon = "folder-open-inverse"
    list_display = ["name", "slug"]


register_snippet(NewsCategoryViewSet)


@hooks.register("register_admin_viewset")
def register_product_chooser():
    return product_chooser_viewset
