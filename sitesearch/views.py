"""The site search page, and the old shop search address pointing at it."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from .folding import MAX_QUERY_LENGTH
from .results import Product, search_site

RESULTS_PER_PAGE = 20


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    context = {"query": query, "results_page": None}
    results = search_site(query) if query else None
    if results is not None:
        # get_page turns a garbage or out-of-range number into the first or last page.
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        context["results_page"] = page
        context["products"] = [hit for hit in page if isinstance(hit, Product)]
        context["pages"] = [hit for hit in page if not isinstance(hit, Product)]
    context["searched"] = bool(query)
    return render(request, "sitesearch/search.html", context)


def legacy_shop_search(request):
    """Oscar's /shop/search/ links (old bookmarks, other sites) land on the site search."""
    target = reverse("sitesearch")
    query = request.GET.get("q", "")
    if query:
        target += "?" + urlencode({"q": query})
    return HttpResponsePermanentRedirect(target)
