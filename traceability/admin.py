"""Django admin: the certification mirror (read-only), syncs and imports, lots, labels, scans."""

import datetime
import logging
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, FileField, Q
from django.forms import ClearableFileInput
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus

from config.media import private_file_response
from config.origin import label_origin_problem
from config.uploads import check_size

from .certification import State, current_filter, state_of
from .digital_link import lot_uri
from .label_sheets import print_sheet
from .labels import printing_refusal
from .models import (
    Certification,
    CertificationChange,
    LabelSheet,
    Lot,
    LotEvent,
    Producer,
    Scan,
    SyncRun,
)
from .rules import EXPIRY_NOTICE_DAYS
from .scan_log import flush_scans
from .spreadsheet import COLUMNS, SpreadsheetInvalid, import_spreadsheet
from .tasks import sync_registry_task

logger = logging.getLogger(__name__)


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


class PrivateFileInput(ClearableFileInput):
    """The file input of a private file: its current file links to the staff download view,
    never to the storage (a private file has no lasting URL)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if value and getattr(value, "instance", None) is not None and value.instance.pk:
            event = value.instance
            context["widget"]["value"] = _LinkedFile(
                value.name,
                reverse("admin:traceability_lot_document", args=[event.lot_id, event.pk]),
            )
        return context


class _LinkedFile:
    def __init__(self, name, url):
        self.name, self.url = name, url

    def __str__(self):
        return self.name


class LotEventInline(admin.TabularInline):
    model = LotEvent
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, FileField) and db_field.name == "document":
            kwargs["widget"] = PrivateFileInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)


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
            path(
                "<int:pk>/documents/<int:event_pk>/",
                self.admin_site.admin_view(self.document_view),
                name="traceability_lot_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, pk, event_pk):
        """A lot step's private document, for staff who may see lots."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        event = get_object_or_404(LotEvent, pk=event_pk, lot_id=pk)
        return private_file_response(event.document, Path(event.document.name).name)

    def labels_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        lot = get_object_or_404(Lot.objects.select_related("product"), pk=pk)
        form = LabelForm(request.POST or None)
        # A printed code cannot be recalled: on an origin no real label may carry, a demo site
        # prints sheets marked as demos and a deployment prints nothing.
        problem = label_origin_problem()
        demo = bool(problem) and settings.LABEL_DEMO_SHEETS
        refusal = printing_refusal(problem) if problem and not demo else ""
        if request.method == "POST" and refusal:
            messages.error(request, refusal)
        elif request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with tempfile.TemporaryDirectory() as folder:
                try:
                    _files, kept, sheet = print_sheet(
                        lot,
                        Path(folder) / f"labels.{data['format']}",
                        fmt=data["format"],
                        bundle_dir=folder,
                        count=data["count"],
                        serialised=data["serialised"],
                        layout=data["layout"],
                        created_by=request.user,
                        demo=demo,
                    )
                except OSError:  # the file store (or the disk) failed: nothing was kept
                    logger.exception("Label sheet for lot %s not stored", lot.pk)
                    messages.error(
                        request,
                        _(
                            "The label sheet could not be stored, so no labels were made. "
                            "Please try again in a few minutes."
                        ),
                    )
                else:
                    # The open file outlives the temporary folder it is read from.
                    return FileResponse(
                        kept.open("rb"), as_attachment=True, filename=sheet.download_name
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Print labels for lot %(code)s") % {"code": lot.code},
            "form": form,
            "lot": lot,
            "sheets": lot.label_sheets.select_related("created_by")[:10],
            "opts": self.model._meta,
            "origin_problem": problem,
            "demo_sheet": demo,
            "refusal": refusal,
        }
        return render(request, "admin/traceability/lot/labels.html", context)


@admin.register(LabelSheet)
class LabelSheetAdmin(admin.ModelAdmin):
    """Sheets printed before, kept in private storage: staff download them again here."""

    list_display = (
        "created_at",
        "lot",
        "format",
        "layout",
        "count",
        "serialised",
        "created_by",
        "download",
    )
    list_filter = ("format", "serialised")
    search_fields = ("lot__code", "lot__short_code", "lot__product__title")
    list_select_related = ("lot", "created_by")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "file"] + ["download"]

    def get_fields(self, request, obj=None):
        return [f for f in self.get_readonly_fields(request, obj) if f != "id"]

    def has_add_permission(self, request):
        return False  # sheets are made from a lot ("Print labels") or by make_labels

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a record of what was printed, like the serial labels on it

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("admin:traceability_labelsheet_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.download_name)

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="traceability_labelsheet_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sheet = get_object_or_404(LabelSheet.objects.select_related("lot"), pk=pk)
        return private_file_response(sheet.file, sheet.download_name)


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
