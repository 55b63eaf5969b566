"""Catalogue browsing straight from the database.

Oscar 4 browses through Haystack; with its simple backend that loads every product into memory
and cannot filter by category. These views page a queryset instead, so browsing is exact and
stays cheap with tens of thousands of products.
"""

from urllib.parse import unquote

from django import forms
from django.contrib import messages
from django.core.paginator import InvalidPage
from django.db.models import Min
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.apps.catalogue.views import *  # noqa: F403
from oscar.apps.catalogue.views import ProductDetailView as CoreProductDetailView
from oscar.core.loading import get_model

from traceability.certification import current_filter

from .models import CatalogueDisplay

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")


class SortForm(forms.Form):
    ORDERINGS = {
        "stars": ("-certification__stars", "-date_created", "pk"),
        "newest": ("-date_created", "pk"),
        "price-asc": ("min_price", "pk"),
        "price-desc": ("-min_price", "pk"),
        "title": ("title", "pk"),
    }
    sort_by = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("stars", _("OCOP stars")),
            ("newest", _("Newest")),
            ("price-asc", _("Price: low to high")),
            ("price-desc", _("Price: high to low")),
            ("title", _("Name")),
        ],
    )

    def ordering(self):
        key = self.cleaned_data.get("sort_by") if self.is_valid() else None
        return self.ORDERINGS.get(key or "stars")


class CatalogueView(ListView):
    """All browsable products."""

    context_object_name = "products"
    template_name = "oscar/catalogue/browse.html"
    paginate_by = 24

    def get(self, request, *args, **kwargs):
        self.form = SortForm(request.GET or None)
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect(self.first_page_url())

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except InvalidPage as exc:
            raise Http404 from exc

    def first_page_url(self):
        return self.request.path

    def products(self):
        products = Product.objects.browsable().for_cards()
        if CatalogueDisplay.load(request_or_site=self.request).hide_uncertified:
            products = products.filter(current_filter(prefix="certification__"))
        return products

    def get_queryset(self):
        return (
            self.products()
            .annotate(min_price=Min("stockrecords__price"))
            .order_by(*self.form.ordering())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, summary=_("All products"))
        return context


class ProductCategoryView(CatalogueView):
    """Products in a category and its subcategories."""

    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404
        expected = self.category.get_absolute_url()
        if unquote(expected) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected)
        return super().get(request, *args, **kwargs)

    def first_page_url(self):
        return self.category.get_absolute_url()

    def products(self):
        categories = self.category.get_descendants_and_self()
        return super().products().filter(categories__in=categories).distinct()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(category=self.category, summary=self.category.name)
        return context


class ProductDetailView(CoreProductDetailView):
    """The product page in a fixed number of queries, writing nothing.

    Oscar's view sends `product_viewed` on every visit; its receivers add to a view counter (an
    UPDATE inside each GET, which locks SQLite under load) and set a recently-viewed cookie, which
    would make every page differ per visitor and keep it out of the page cache. Neither happens
    here, and the page shows no recently-viewed list.
    """

    def get_queryset(self):
        return Product.objects.for_product_page()

    def send_signal(self, request, response, product):
        pass

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recommended_products"] = list(
            Product.objects.browsable()
            .for_cards()
            .filter(productrecommendation__primary=self.object)
            .order_by("-productrecommendation__ranking")[:6]
        )
        return context
