"""Every download says what it is: the period, when the figures were taken, the source and the licence."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

URL = "/xep-hang/?parent=legacy.332&level=commune&period=2024-08"
LICENCE = "Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0)"


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_ranking_csv_has_period_data_time_and_source_on_every_row(client, all_published):
    rows = _csv(client.get(URL + "&format=csv"))
    assert rows[0][-3:] == ["Kỳ", "Số liệu tính đến", "Nguồn"]
    assert len(rows) == 16
    for row in rows[1:]:
        assert row[-3] == "2024-08" and row[-2] == "2024-09-05 12:00"
        assert row[-1].startswith(
            "Cổng Dịch vụ công quốc gia; công bố tại http://testserver/xep-hang/?parent=legacy.332"
        )
        assert "format=" not in row[-1] and LICENCE in row[-1]


def test_ranking_xlsx_has_the_same_columns_and_an_information_sheet(client, all_published):
    book = load_workbook(io.BytesIO(client.get(URL + "&format=xlsx").content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert (
        header[-3:] == ["Kỳ", "Số liệu tính đến", "Nguồn"]
        and sheet.cell(2, len(header) - 1).value == "2024-09-05 12:00"
    )
    info = {row[0].value: row[1].value for row in book["Thông tin"].iter_rows()}
    assert info["Bảng"] == "Xếp hạng các đơn vị thuộc Huyện Tiên Lữ"
    assert info["Kỳ"] == "Tháng 8/2024" and info["Số liệu tính đến"] == "2024-09-05 12:00"
    assert info["Giấy phép"].startswith(LICENCE)


def test_ranking_json_names_source_licence_and_page(client, all_published):
    data = json.loads(client.get(URL + "&format=json").content)
    assert data["period"] == "2024-08" and data["data_as_of"].startswith("2024-09-05")
    assert data["licence"] == LICENCE and data["licence_url"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert data["url"] == "http://testserver" + URL and "Cổng Dịch vụ công quốc gia" in data["source"]


def test_unit_history_download_has_each_months_data_time(client, all_published):
    rows = _csv(client.get("/don-vi/legacy/332/?format=csv"))
    assert rows[0][-2:] == ["Số liệu tính đến", "Nguồn"]
    august = next(r for r in rows if r[0] == "2024-08")
    july = next(r for r in rows if r[0] == "2024-07")
    assert august[-2] == "2024-09-05 12:00" and july[-2] != august[-2] and july[-2].startswith("2024-08")
    data = client.get("/don-vi/legacy/332/?format=json").json()
    assert data["licence"] == LICENCE and data["history"][0]["data_as_of"].startswith("2024-09-05")


def test_compare_download_has_data_time_and_source(client, all_published):
    rows = _csv(client.get("/so-sanh/?u=legacy.12367&u=legacy.332&format=csv"))
    assert rows[0][-2:] == ["Số liệu tính đến", "Nguồn"]
    assert rows[-1][0] == "2024-08" and rows[-1][-2] == "2024-09-05 12:00"


def test_open_data_page_names_the_licence_and_the_api_parent_forms(client, all_published):
    html = client.get("/du-lieu-mo/").content.decode()
    assert f"Dữ liệu trên cổng được công bố theo giấy phép {LICENCE}." in html
    assert 'rel="license"' in html
    assert "parent=legacy.332" in html
