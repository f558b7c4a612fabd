"""Forms of the staff pages: the dispatch text, and the unit and month of a new draft."""

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.services import period_parse
from units.selectors import AmbiguousUnit, UnitNotFound, unit_lookup

from .models import Dispatch


class DispatchTextForm(forms.ModelForm):
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
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 2}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "legal_bases": forms.Textarea(attrs={"rows": 4}),
            "requirements": forms.Textarea(attrs={"rows": 14}),
            "cc": forms.Textarea(attrs={"rows": 5}),
        }


class NewDispatchForm(forms.Form):
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
