"""The staff's home shows sales and scan charts to those who own the figures; a menu item opens
the full dashboard."""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from staff.roles import can_see_sales

from . import panels, views

CHART_CSS = {"all": ["insight/charts.css"]}


class SalesPanel(Component):
    name = "ocop_insight_sales"
    template_name = "insight/admin/home_sales.html"
    order = 40

    class Media:
        css = CHART_CSS

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        times = panels.refresh_times()
        return {
            "chart": panels.from_rollups(times, "sales-month", panels.sales_month_chart, today),
            "orders": panels.orders_awaiting(),
            "as_of": panels.figures_as_of(times),
        }


class ScansPanel(Component):
    name = "ocop_insight_scans"
    template_name = "insight/admin/home_scans.html"
    order = 45

    class Media:
        css = CHART_CSS

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        times = panels.refresh_times()
        since = panels.first_day(30, today)
        return {
            "chart": panels.from_rollups(times, "scans-day", panels.scans_day_chart, since, today),
            "as_of": panels.figures_as_of(times),
        }


@hooks.register("construct_homepage_panels")
def add_insight_panels(request, home_panels):
    if can_see_sales(request.user):
        home_panels.append(SalesPanel())
    if panels.sees_scans(request.user):
        home_panels.append(ScansPanel())


@hooks.register("register_admin_urls")
def register_insight_urls():
    return [path("insight/", views.dashboard, name="insight_dashboard")]


class InsightMenuItem(MenuItem):
    def is_shown(self, request):
        return panels.sees_anything(request.user)


@hooks.register("register_admin_menu_item")
def insight_menu_item():
    return InsightMenuItem(_("Insight"), reverse("insight_dashboard"), icon_name="view", order=150)
