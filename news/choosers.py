"""An admin chooser for Oscar's products, so editors pick products by title instead of by id.

Oscar's Product is not a Wagtail snippet and is not in Wagtail's search index, so the chooser
filters by title itself.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, CreateView
from wagtail.admin.viewsets.chooser import ChooserViewSet


class ProductFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(title__icontains=query)
        return objects


class ProductChooseView(ChooseView):
    filter_form_class = ProductFilterForm
    ordering = "title"


class ProductChooseResultsView(ChooseResultsView):
    filter_form_class = ProductFilterForm
    ordering = "title"


class ProductCreateView(CreateView):
    """Products are made in the shop's dashboard, never from this chooser. Wagtail still routes
    its create/ URL, and with no creation form a POST there was a 500: refuse it instead."""

    def can_create(self):
        return False


class ProductChooserViewSet(ChooserViewSet):
    model = "catalogue.Product"
    icon = "tag"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    edit_item_text = _("Edit product")
    per_page = 20
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
    create_view_class = ProductCreateView
    # The widget is attached explicitly where news needs it rather than replacing the product
    # select box in every admin form of the project.
    register_widget = False

    def get_object_list(self):
        from oscar.core.loading import get_model

        # Parent products are only containers for variants; articles link the real thing.
        return get_model("catalogue", "Product").objects.exclude(structure="parent")


product_chooser_viewset = ProductChooserViewSet("news_product_chooser")
ProductChooserWidget = product_chooser_viewset.widget_class
