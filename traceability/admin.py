"""Django admin: the certification mirror (read-only), syncs and imports, lots, labels, scans."""

import datetime
import io
import tempfile
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus

from config.uploads import check_size

from .certification import State, current_filter, state_of
from .digital_link import lot_uri
from .labels import write_sheet
from .models import Certification, CertificationChange, Lot, LotEvent, Producer, Scan, SyncRun
from .rules import EXPIRY_NOTICE_DAYS
from .scan_log import flush_scans
from .spreadsheet import COLUMNS, SpreadsheetInvalid, import_spreadsheet
from .tasks import sync_registry_task


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "commune_name", "tax_code", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "tax_code")
    prepopulated_fields = {"slug": ("name",)}


def state_q(state, today):
    """SQL for one computed state (mirrors traceability.certification.state_of)."""
    soon = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS - 1)
    if state == State.REVOKED:
        return Q(status="revoked")
    if state == State.SUSPENDED:
        return Q(status="suspended")
    if state == State.EXPIRED:
        return Q(status="active", valid_until__lt=today)
    if state == State.EXPIRING:
        return current_filter(today) & Q(valid_until__lte=soon)
    return current_filter(today) & Q(valid_until__gt=soon)


class TodayStateFilter(admin.SimpleListFilter):
    title = _("state today")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(s.value, s.label) for s in State if s != State.NOT_CERTIFIED]

    def queryset(self, request, queryset):
        if self.value() in State.values:
            return queryset.filter(state_q(State(self.value()), timezone.localdate()))
        return queryset


class ExpiresWithinFilter(admin.SimpleListFilter):
    title = _("expires within")
    parameter_name = "expires_within"

    def lookups(self, request, model_admin):
        return [("30", _("30 days")), ("90", _("90 days"))]

    def queryset(self, request, queryset):
        if self.value() in ("30", "90"):
            today = timezone.localdate()
            end = today + datetime.timedelta(days=int(self.value()))
            return queryset.filter(current_filter(today), valid_until__lte=end)
        return queryset


class ChangeInline(admin.TabularInline):
    model = CertificationChange
    fields = ("changed_at", "field", "old_value", "new_value", "changed_by", "run")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-changed_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False


class SpreadsheetForm(forms.Form):
    file = forms.FileField(
        label=_("Decision spreadsheet (.csv or .xlsx)"),
        help_text=_("One row per product, with the column headers listed below."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload, settings.UPLOAD_MAX_SPREADSHEET_BYTES, _("spreadsheets"))
        return upload


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    """The mirror is the registry's word: staff read it here and change it at the source."""

    list_display = (
        "registry_id",
        "product_name",
        "producer",
        "stars",
        "state_today",
        "decision_no",
        "valid_until",
        "last_confirmed_at",
        "is_demo",
    )
    list_filter = (
        TodayStateFilter,
        ExpiresWithinFilter,
        "stars",
        "status",
        "product_group",
        "source",
        "is_demo",
    )
    search_fields = ("registry_id", "product_name", "decision_no", "producer__name", "gtins")
    date_hierarchy = "decision_date"
    list_select_related = ("producer",)
    inlines = [ChangeInline]
    change_list_template = "admin/traceability/certification/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("state today"))
    def state_today(self, obj):
        return state_of(obj).label

    def get_urls(self):
        extra = [
            path(
                "sync/",
                self.admin_site.admin_view(self.sync_view),
                name="traceability_certification_sync",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="traceability_certification_import",
            ),
        ]
        return extra + super().get_urls()

    def sync_view(self, request):
        # admin_view checks only is_staff: other staff (the shop's) must not rewrite the mirror.
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:traceability_certification_changelist")
        result = sync_registry_task.enqueue(full=False, started_by=request.user.get_username())
        if result.status == TaskResultStatus.SUCCESSFUL:
            return redirect("admin:traceability_syncrun_change", result.return_value)
        if result.status == TaskResultStatus.FAILED:
            messages.error(request, _("The sync could not run; see the server log."))
        else:
            messages.info(request, _("The sync has been queued; it appears here when it starts."))
        return redirect("admin:traceability_syncrun_changelist")

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = SpreadsheetForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = import_spreadsheet(
                    upload.name, upload.read(), started_by=request.user.get_username()
                )
            except SpreadsheetInvalid as exc:
                problems = exc.problems
                messages.error(request, _("Nothing was imported: the file has problems."))
            else:
                messages.success(
                    request,
                    _("Imported %(created)s new and %(updated)s changed certificates.")
                    % {"created": run.created, "updated": run.updated},
                )
                return redirect("admin:traceability_syncrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a certification decision"),
            "form": form,
            "problems": problems,
            "columns": COLUMNS,
            "opts": self.model._meta,
        }
        return render(request, "admin/traceability/certification/import.html", context)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "source",
        "status",
        "processed",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "started_by",
    )
    list_filter = ("status", "source")
    change_form_template = "admin/traceability/syncrun/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A full sync can change 20,000 certificates: link to the list, don't inline it.
        changes = reverse("admin:traceability_certificationchange_changelist")
        extra_context = {
            **(extra_context or {}),
            "changes_url": f"{changes}?run__id__exact={object_id}",
            "change_count": CertificationChange.objects.filter(run_id=object_id).count(),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CertificationChange)
class CertificationChangeAdmin(admin.ModelAdmin):
    list_display = ("changed_at", "certification", "field", "old_value", "new_value", "changed_by")
    list_filter = ("field", "run")
    search_fields = ("certification__registry_id", "certification__product_name")
    list_select_related = ("certification",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LotEventInline(admin.TabularInline):
    model = LotEvent
    extra = 1


class LabelForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of labels"), min_value=1, max_value=10000, initial=24
    )
    serialised = forms.BooleanField(label=_("A unique serial on each label"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), choices=[("pdf", "PDF"), ("png", "PNG"), ("svg", "SVG")]
    )
    layout = forms.ChoiceField(
        label=_("Sticker sheet"),
        choices=[
            ("a4-24", _("A4, 3 × 8 labels of 70 × 37 mm")),
            ("a4-40", _("A4, 4 × 10 labels of 48.5 × 25.4 mm")),
            ("a4-14", _("A4, 2 × 7 labels of 99.1 × 38.1 mm")),
        ],
    )


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = ("code", "product", "produced_on", "best_before", "short_code", "scan_count")
    search_fields = ("code", "short_code", "product__title")
    list_select_related = ("product",)
    raw_id_fields = ("product", "certification")
    readonly_fields = ("short_code", "qr_uri")
    inlines = [LotEventInline]

    @admin.display(description=_("QR address"))
    def qr_uri(self, obj):
        return lot_uri(obj) if obj.pk else ""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(scans_total=Count("scans"))

    @admin.display(description=_("scans"), ordering="scans_total")
    def scan_count(self, obj):
        return obj.scans_total

    def get_urls(self):
        return [
            path(
                "<int:pk>/labels/",
                self.admin_site.admin_view(self.labels_view),
                name="traceability_lot_labels",
            ),
            *super().get_urls(),
        ]

    def labels_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        lot = get_object_or_404(Lot.objects.select_related("product"), pk=pk)
        form = LabelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            suffix = {"pdf": ".pdf", "png": ".png", "svg": ".svg"}[data["format"]]
            with tempfile.TemporaryDirectory() as folder:
                files = write_sheet(
                    lot,
                    Path(folder) / f"labels{suffix}",
                    data["format"],
                    data["count"],
                    data["serialised"],
                    data["layout"],
                )
                if len(files) == 1:
                    return FileResponse(
                        files[0].open("rb"),
                        as_attachment=True,
                        filename=f"labels-{lot.code}{suffix}",
                    )
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w") as archive:
                    for file in files:
                        archive.write(file, file.name)
                buffer.seek(0)
                return FileResponse(buffer, as_attachment=True, filename=f"labels-{lot.code}.zip")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Print labels for lot %(code)s") % {"code": lot.code},
            "form": form,
            "lot": lot,
            "opts": self.model._meta,
        }
        return render(request, "admin/traceability/lot/labels.html", context)


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ("scanned_at", "lot", "label", "unknown_code", "language", "region")
    list_filter = ("language", ("unknown_code", admin.EmptyFieldListFilter))
    date_hierarchy = "scanned_at"
    list_select_related = ("lot__product", "label")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        flush_scans()  # scans buffered in Redis first, so the list is current
        return super().changelist_view(request, extra_context)
