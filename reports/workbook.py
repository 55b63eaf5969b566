"""The programme report as an XLSX workbook: one sheet per section, numbers kept as numbers."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .exports import DATE, DATETIME, INTEGER, MONEY, NUMBER_FORMATS, TEXT

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)


class Sheet:
    """Rows appended with a kind per column, widths grown to fit what was written."""

    def __init__(self, workbook, title):
        self.sheet = workbook.create_sheet(title[:31])
        self.widths = {}

    def title(self, text):
        self.sheet.append([text])
        self.sheet.cell(self.sheet.max_row, 1).font = TITLE

    def blank(self):
        self.sheet.append([])

    def header(self, *titles):
        self.sheet.append(list(titles))
        for index in range(1, len(titles) + 1):
            self.sheet.cell(self.sheet.max_row, index).font = BOLD
        self._measure(titles)

    def row(self, values, kinds):
        values = [self._plain(v) for v in values]
        self.sheet.append(values)
        line = self.sheet.max_row
        for index, (value, kind) in enumerate(zip(values, kinds, strict=True), 1):
            cell = self.sheet.cell(line, index)
            if isinstance(value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text, never a formula
            if kind in NUMBER_FORMATS and value is not None:
                cell.number_format = NUMBER_FORMATS[kind]
        self._measure(values)

    @staticmethod
    def _plain(value):
        if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            return value.replace(tzinfo=None)
        if hasattr(value, "to_integral_value"):
            return int(value)
        return value

    def _measure(self, values):
        for index, value in enumerate(values, 1):
            size = min(60, max(8, len(str(value if value is not None else "")) + 2))
            self.widths[index] = max(self.widths.get(index, 0), size)

    def finish(self):
        for index, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(index)].width = width


def _certificate_sheet(workbook, title, rows, extra=()):
    sheet = Sheet(workbook, title)
    sheet.title(title)
    names = [name for name, _kind, _key in extra]
    sheet.header(
        _("Registry id"),
        _("Product"),
        _("Producer"),
        _("Commune"),
        _("Product group"),
        _("Stars"),
        _("Decision number"),
        _("Decision date"),
        _("Valid until"),
        *names,
    )
    kinds = [TEXT, TEXT, TEXT, TEXT, TEXT, INTEGER, TEXT, DATE, DATE]
    kinds += [kind for _name, kind, _key in extra]
    for row in rows:
        values = [
            row["registry_id"],
            row["product"],
            row["producer"],
            row["commune"],
            row["group_label"],
            row["stars"],
            row["decision_no"],
            row["decision_date"],
            row["valid_until"],
        ] + [row.get(key) for _name, _kind, key in extra]
        sheet.row(values, kinds)
    sheet.finish()


def programme_workbook(report):
    """The report's workbook as bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    period = f"{report['start']:%d/%m/%Y} – {report['end']:%d/%m/%Y}"

    summary = Sheet(workbook, _("Summary"))
    summary.title(_("OCOP programme report"))
    summary.row([_("Period"), period], [TEXT, TEXT])
    products = report["products"]
    certificates = report["certificates"]
    figures = [
        (_("Certified products at the end of the period"), products["total"]),
        (_("New certificates"), len(certificates["new"])),
        (_("Renewed certificates"), len(certificates["renewed"])),
        (_("Lapsed certificates"), len(certificates["lapsed"])),
        (_("Revoked certificates"), len(certificates["revoked"])),
        (_("Trade fairs held"), len(report["events"]["fairs"])),
        (_("Livestreams held"), len(report["events"]["livestreams"])),
        (_("Label scans"), report["scans"]["total"]),
    ]
    for label, value in figures:
        summary.row([label, value], [TEXT, INTEGER])
    if report["sales"] is not None:
        summary.row([_("Orders (paid)"), report["sales"]["orders"]], [TEXT, INTEGER])
        summary.row([_("Revenue"), report["sales"]["revenue"]], [TEXT, MONEY])
    summary.finish()

    stars = Sheet(workbook, _("Products by stars"))
    stars.title(_("Certified products on %(day)s") % {"day": f"{products['on']:%d/%m/%Y}"})
    star_titles = [_("%(stars)d stars") % {"stars": s} for s in products["stars"]]
    stars.header(_("Product group"), *star_titles, _("Total"))
    numbers = [INTEGER] * (len(star_titles) + 1)
    for row in products["rows"]:
        stars.row([row["label"], *row["by_stars"], row["total"]], [TEXT, *numbers])
    stars.row([_("Total"), *products["by_stars"], products["total"]], [TEXT, *numbers])
    stars.finish()

    _certificate_sheet(workbook, _("New certificates"), certificates["new"])
    _certificate_sheet(
        workbook,
        _("Renewed certificates"),
        certificates["renewed"],
        [
            (_("Previous stars"), INTEGER, "previous_stars"),
            (_("Previous decision date"), DATE, "previous_decision_date"),
        ],
    )
    _certificate_sheet(
        workbook,
        _("Lapsed certificates"),
        certificates["lapsed"],
        [(_("Lapsed on"), DATE, "lapsed_on")],
    )
    _certificate_sheet(
        workbook,
        _("Revoked certificates"),
        certificates["revoked"],
        [(_("Revoked on"), DATE, "revoked_on"), (_("Reason"), TEXT, "reason")],
    )

    events = Sheet(workbook, _("Fairs and livestreams"))
    events.title(_("Trade fairs"))
    events.header(_("Trade fair"), _("Starts"), _("Ends"), _("Venue"), _("Producer"), _("Product"))
    kinds = [TEXT, DATETIME, DATETIME, TEXT, TEXT, TEXT]
    for fair in report["events"]["fairs"]:
        first = [fair["title"], fair["start"], fair["end"], fair["venue"]]
        for item in fair["products"] or [{"producer": "", "product": ""}]:
            events.row(first + [item["producer"], item["product"]], kinds)
    events.blank()
    events.title(_("Livestreams"))
    events.header(
        _("Livestream"), _("Starts"), _("Ends"), _("Platform"), _("Producer"), _("Product")
    )
    for stream in report["events"]["livestreams"]:
        first = [stream["title"], stream["start"], stream["end"], stream["platform"]]
        for item in stream["products"] or [{"producer": "", "product": ""}]:
            events.row(first + [item["producer"], item["product"]], kinds)
    events.finish()

    scans = report["scans"]
    sheet = Sheet(workbook, _("Scans"))
    sheet.title(_("Label scans"))
    sheet.row([_("Total"), scans["total"]], [TEXT, INTEGER])
    sheet.row([_("Codes that are not ours"), scans["unknown_codes"]], [TEXT, INTEGER])
    sheet.blank()
    sheet.header(_("Month"), _("Scans"))
    for row in scans["per_month"]:
        sheet.row([f"{row['month']:%m/%Y}", row["scans"]], [TEXT, INTEGER])
    sheet.blank()
    sheet.header(_("Most scanned products"), _("Scans"))
    for row in scans["top_products"]:
        sheet.row([row["product"], row["scans"]], [TEXT, INTEGER])
    sheet.blank()
    sheet.header(_("Region (with consent)"), _("Scans"))
    for row in scans["regions"]:
        sheet.row([row["region"] or _("Not shared"), row["scans"]], [TEXT, INTEGER])
    sheet.finish()

    if report["sales"] is not None:
        _sales_sheet(workbook, report["sales"])

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sales_sheet(workbook, sales):
    sheet = Sheet(workbook, _("Sales"))
    sheet.title(_("Sales (paid, not refunded)"))
    sheet.row([_("Orders"), sales["orders"]], [TEXT, INTEGER])
    sheet.row([_("Revenue"), sales["revenue"]], [TEXT, MONEY])
    sheet.blank()
    sheet.header(_("Month"), _("Orders"), _("Revenue"))
    for row in sales["per_month"]:
        sheet.row([f"{row['month']:%m/%Y}", row["orders"], row["revenue"]], [TEXT, INTEGER, MONEY])
    sheet.blank()
    sheet.header(_("Payment method"), _("Orders"), _("Revenue"))
    for row in sales["per_method"]:
        sheet.row([row["label"], row["orders"], row["revenue"]], [TEXT, INTEGER, MONEY])
    sheet.blank()
    sheet.header(_("Product group"), _("Units"), _("Revenue"))
    for row in sales["per_group"]:
        sheet.row([row["label"], row["quantity"], row["revenue"]], [TEXT, INTEGER, MONEY])
    sheet.blank()
    sheet.header(_("Commune"), _("Units"), _("Revenue"))
    for row in sales["per_commune"]:
        sheet.row([row["commune"], row["quantity"], row["revenue"]], [TEXT, INTEGER, MONEY])
    sheet.blank()
    sheet.header(_("Best-selling products"), _("Units"), _("Revenue"))
    for row in sales["top_products"]:
        sheet.row([row["product"], row["quantity"], row["revenue"]], [TEXT, INTEGER, MONEY])
    sheet.finish()
