"""Data: the national portal's request parameters per level and its answer keys, as public scripts
that read it use them (an administrator corrects them when the portal changes)."""

from django.db import migrations

# The public scripts disagree on which short key is which group: this is the most common reading;
# a wrong one shows as a group above its maximum in the preview.
FIELD_MAP = {
    "TEN": "unit",
    "MA_COQUAN": "unit_code",
    "TONG_SCORE": "total",
    "ROW_STT": "total:rank",
    "CKMB": "1",
    "TDGQ": "2",
    "CLGQ": "3",
    "TTTT": "4",
    "MDHL": "5",
    "MDSH": "6",
}
SOURCES = {
    "province": {"type": "ref", "p_tinh_id": 0, "p_loaidonvi": 1, "loaichitieu": 1},
    "districts": {"type": "ref", "p_tinh_id": "{tinh}", "p_loaidonvi": 2, "loaichitieu": 1},
    "communes": {"type": "ref", "p_tinh_id": "{tinh}", "p_huyen_id": "{don_vi}", "p_loaidonvi": 3, "loaichitieu": 1},
    "departments": {"type": "ref", "p_tinh_id": "{tinh}", "p_loaidonvi": 4, "loaichitieu": 1},
}


def forwards(apps, schema_editor):
    NationalSource = apps.get_model("imports", "NationalSource")
    for level, params in SOURCES.items():
        NationalSource.objects.get_or_create(level=level, defaults={"params": params, "field_map": FIELD_MAP})


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_national_portal_source")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
