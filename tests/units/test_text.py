"""The one cleaning rule for text entering the portal: invisible direction and zero-width controls go."""

import pytest

from units.names import name_key
from units.services import _spec
from units.text import INVISIBLE_CONTROLS, clean_text

SPOOFS = ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
SPOOFS += ["\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize("control", SPOOFS)
def test_every_invisible_control_is_removed(control):
    assert clean_text(f"Xã {control}Thủ Sỹ{control}") == "Xã Thủ Sỹ"
    assert ord(control) in INVISIBLE_CONTROLS


def test_vietnamese_text_and_non_text_are_left_as_they_are():
    text = "UBND xã Dị ché, Đức Thắng — “Yêu cầu” 88,03%\n2. Tiếp tục…"
    assert clean_text(text) == text
    assert clean_text(None) is None and clean_text(88.03) == 88.03


def test_a_spoofed_name_meets_the_real_one_once_cleaned():
    assert name_key(clean_text("UBND xã \u202eThủ Sỹ\u202c")) == name_key("Xã Thủ Sỹ")


def test_the_unit_loader_cleans_the_names_it_reads():
    row = {"ward": "Xã \u202eAn Viên", "wardShort": "An\u200b Viên", "wardLat": "", "wardLon": ""}
    spec = _spec(row, "ward", level="commune", kind="Xã", parent="332")
    assert (spec["name"], spec["short_name"]) == ("Xã An Viên", "An Viên")


def test_a_name_typed_in_the_admin_is_cleaned_by_the_model_form(admin_client, unit_tree):
    from units.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(tree="legacy", code="12367")
    form = admin_client.get(f"/admin/units/administrativeunit/{unit.pk}/change/").context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"name": f"Xã {chr(0x202E)}Thủ Sỹ", "parent": unit.parent_id})
    data.update({"aliases-TOTAL_FORMS": 0, "aliases-INITIAL_FORMS": 0})
    data.update({"successor_links-TOTAL_FORMS": 0, "successor_links-INITIAL_FORMS": 0})
    data.pop("successors", None)
    response = admin_client.post(f"/admin/units/administrativeunit/{unit.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AdministrativeUnit.objects.get(pk=unit.pk).name == "Xã Thủ Sỹ"


def test_a_text_subclass_keeps_its_type():
    from imports.parsing import Formula

    formula = Formula("=80+9.63")
    assert clean_text(formula) is formula
    assert type(clean_text(Formula("=80\u202e+1"))) is Formula
