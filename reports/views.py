"""Staff pages in the Wagtail admin: the programme report and the data exports."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse

from staff.roles import can_see_sales

from . import exports
from .forms import ExportForm, ReportForm
from .programme import programme_report
from .workbook import programme_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def report(request):
    form = ReportForm(request.GET or None)
    context = {"form": form, "report": None, "with_sales": can_see_sales(request.user)}
    if form.is_bound and form.is_valid():
        start, end = form.period
        data = programme_report(start, end, with_sales=context["with_sales"])
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(programme_workbook(data), content_type=XLSX)
            return _attachment(response, f"bao-cao-ocop-{start}-{end}.xlsx")
        context["report"] = data
        context["xlsx_query"] = request.GET.copy()
        context["xlsx_query"]["format"] = "xlsx"
    return TemplateResponse(request, "reports/programme.html", context)


def export_page(request):
    allowed = exports.allowed_exports(request.user)
    if not allowed:
        raise PermissionDenied
    form = ExportForm(request.GET or None, exports=allowed)
    if form.is_bound and form.is_valid():
        export = exports.EXPORTS[form.cleaned_data["dataset"]]
        since, until = form.period
        fmt = form.cleaned_data["format"]
        filename = export.filename(since, until, fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_chunks(export, since, until), content_type="text/csv; charset=utf-8"
            )
            return _attachment(response, filename)
        return FileResponse(
            exports.xlsx_file(export, since, until),
            as_attachment=True,
            filename=filename,
            content_type=XLSX,
        )
    return TemplateResponse(request, "reports/exports.html", {"form": form, "exports": allowed})
