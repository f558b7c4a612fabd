"""Forms of the staff pages: the dispatch text, a new draft, regeneration, the signed copy, upstream documents."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.services import period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup
from units.text import clean_text

from .models import Dispatch, UpstreamDocument
from .services import TEXT_LIMITS, text_too_long


class DispatchTextForm(forms.ModelForm):
    """The editable text of a dispatch; each text is held to the service's limit, with its message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in TEXT_LIMITS.items():
            self.fields[name].widget.attrs["maxlength"] = limit

    def clean(self):
        cleaned = super().clean()
        for name in TEXT_LIMITS:
            cleaned[name] = clean_text(cleaned.get(name) or "")  # the preview shows what will be kept
            message = text_too_long(field=name, value=cleaned[name])
            if message:
                self.add_error(name, message)
        return cleaned

    class Meta:
        model = Dispatch
        fields = ["subject", "recipients", "legal_bases", "requirements", "cc"]
        labels = {
            "subject": _("Trích yếu (sau “V/v”)"),
            "recipients": _("Kính gửi (mỗi dòng một nơi)"),
            "legal_bases": _("Căn cứ (mỗi dòng một căn cứ)"),
            "requirements": _("Yêu cầu (mỗi dòng một đoạn)"),
            "cc": _("Nơi nhận (mỗi dòng một nơi)"),
        }
        # The dispatch is an official Vietnamese document whatever the interface's language.
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 2, "lang": "vi"}),
            "recipients": forms.Textarea(attrs={"rows": 3, "lang": "vi"}),
            "legal_bases": forms.Textarea(attrs={"rows": 4, "lang": "vi"}),
            "requirements": forms.Textarea(attrs={"rows": 14, "lang": "vi"}),
            "cc": forms.Textarea(attrs={"rows": 5, "lang": "vi"}),
        }


class UnitMonthForm(forms.Form):
    """A unit (by name or code) and a month, the unit resolved among those valid in that month."""

    unit = forms.CharField(label=_("Đơn vị ban hành (tên hoặc mã)"), max_length=200)
    period = forms.CharField(label=_("Tháng (YYYY-MM)"), max_length=7)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["period"] = period_parse(cleaned["period"])
        except ValueError as error:
            self.add_error("period", str(error))
            return cleaned
        try:
            cleaned["unit"] = unit_lookup(text=cleaned["unit"], on=cleaned["period"].last_day)
        except (UnitNotFound, AmbiguousUnit) as error:
            self.add_error("unit", str(error))
        return cleaned


NewDispatchForm = UnitMonthForm


class RegenerateForm(forms.Form):
    """Which fields to rewrite from the data (the page ticks those nobody edited by hand)."""

    fields = forms.MultipleChoiceField(
        label=_("Mục sẽ thay bằng nội dung tạo lại"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, changes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = [(c.field, c.label) for c in changes]
        self.fields["fields"].initial = [c.field for c in changes if not c.edited]


class SignedCopyForm(forms.Form):
    """The clerk's upload of the signed dispatch, with the number and date it was issued under."""

    file = forms.FileField(label=_("Tệp PDF đã ký số"))
    number = forms.CharField(label=_("Số, ký hiệu văn bản"), max_length=80, help_text=_("Ví dụ “193/UBND-KSTTHC”."))
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if not re.fullmatch(r"\d+/[\w&.-]+(-[\w&.]+)*", number):
            raise forms.ValidationError(_("Số, ký hiệu phải có dạng “193/UBND-KSTTHC”."))
        return number


class UpstreamDocumentForm(forms.ModelForm):
    class Meta:
        model = UpstreamDocument
        fields = ["kind", "number", "issued_on", "issuer", "subject"]
        # What the dispatches cite, in Vietnamese whatever the interface's language.
        widgets = {
            "kind": forms.TextInput(attrs={"lang": "vi"}),
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "issuer": forms.TextInput(attrs={"lang": "vi"}),
            "subject": forms.Textarea(attrs={"rows": 2, "lang": "vi"}),
        }
