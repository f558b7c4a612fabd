"""Forms of the staff import flow: the upload, the column mapping and the choice of units."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.services import period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup

from .models import ImportBatch, NationalSource
from .parsing import max_upload_bytes


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp số liệu"),
        help_text=gettext_lazy("XLSX, XLS, ODS hoặc CSV (UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy)."),
    )
    period = forms.CharField(
        label=gettext_lazy("Tháng"),
        widget=forms.TextInput(attrs={"placeholder": "2024-08", "inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("Gõ tháng của số liệu: 2024-08 hoặc 8/2024."),
    )
    scope = forms.CharField(
        label=gettext_lazy("Phạm vi (đơn vị cấp trên)"),
        widget=forms.TextInput(attrs={"list": "assigned-units", "autocomplete": "off"}),
        help_text=gettext_lazy("Tên hoặc mã đơn vị mà các dòng trong tệp trực thuộc, ví dụ “Huyện Tiên Lữ”."),
    )
    data_as_of = forms.DateTimeField(
        label=gettext_lazy("Số liệu tính đến"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%H:%M %d/%m/%Y", "%Hh%M %d/%m/%Y"],
        widget=forms.TextInput(attrs={"placeholder": "12:00 05/09/2024", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Thời điểm Cổng Dịch vụ công quốc gia tính số liệu, như công văn ghi (“tính tại thời điểm 12h00 ngày "
            "14/8/2024”), không phải lúc tải lên; thường là đầu tháng sau tháng số liệu. Ví dụ 12:00 05/09/2024."
        ),
    )
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the batch this file corrects
    sheet = forms.CharField(
        label=gettext_lazy("Trang tính"),
        required=False,
        max_length=ImportBatch._meta.get_field("sheet").max_length,
        error_messages={
            "max_length": gettext_lazy("Tên trang tính dài %(show_value)d ký tự, tối đa %(limit_value)d ký tự.")
        },
        help_text=gettext_lazy("Để trống: trang đầu tiên có bảng số liệu."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("Tệp nặng %(size)s MB, vượt giới hạn %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": round(max_upload_bytes() / 1048576, 1)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Tệp rỗng (0 byte)."))
        return upload

    def clean_period(self):
        return _period(self.cleaned_data["period"])

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period")
        text = cleaned.get("scope")
        if period and text:
            try:
                cleaned["scope"] = unit_lookup(text=text, on=period.last_day)
            except (UnitNotFound, AmbiguousUnit) as exc:
                self.add_error("scope", str(exc))
        return cleaned


def _period(text: str):
    """The month a person typed: "2024-08" (the project's form), or "8/2024" and "08/2024" as written."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{4})\s*", text or "")
    if match:
        text = f"{match[2]}-{int(match[1]):02d}"
    try:
        return period_parse(text)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class NationalFetchForm(forms.Form):
    """The month and scope to fetch from the national portal (the level defaults from the scope)."""

    period = forms.CharField(
        label=gettext_lazy("Tháng"),
        widget=forms.TextInput(attrs={"placeholder": "2024-08", "inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("Gõ tháng của số liệu: 2024-08 hoặc 8/2024."),
    )
    scope = forms.CharField(
        label=gettext_lazy("Phạm vi (đơn vị cấp trên)"),
        widget=forms.TextInput(attrs={"list": "assigned-units", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Cấp số liệu"),
        required=False,
        choices=[("", gettext_lazy("Theo phạm vi (huyện → các xã, tỉnh → các huyện)")), *NationalSource.Level.choices],
    )

    def clean_period(self):
        return _period(self.cleaned_data["period"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") and cleaned.get("scope"):
            try:
                cleaned["scope"] = unit_lookup(text=cleaned["scope"], on=cleaned["period"].last_day)
            except (UnitNotFound, AmbiguousUnit) as exc:
                self.add_error("scope", str(exc))
        return cleaned


def target_field(choices, initial: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", _("— bỏ qua cột này —")), *choices],
        required=False,
        initial=initial,
    )
