import pytest
from django.core.management import CommandError, call_command

from config.celery import app
from indicators.services import period_get
from publishing.selectors import is_public as is_published
from rankings.models import RankingResult, RankingRun
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_process():
    """No broker: the command computes in process (the embedded default)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_compute_rankings_computes_the_month_and_records_a_done_run(demo, in_process, capsys):
    call_command("compute_rankings", "--period", "2024-08")
    assert "2024-08: đã tính" in capsys.readouterr().out
    run = RankingRun.objects.get(period_key="2024-08", state="done")
    assert run.state == "done" and run.result_count == RankingResult.objects.filter(period_key="2024-08").count()
    assert RankingResult.objects.filter(period_key="2024-08", rank=1, unit__code="12367").exists()


def test_compute_rankings_all_covers_every_month_quarter_and_year_with_scores(demo, in_process):
    call_command("compute_rankings", "--all")
    keys = set(RankingRun.objects.filter(state="done").values_list("period_key", flat=True))
    assert {"2023-09", "2024-08", "2024-12", "2025-02", "2023-Q3", "2024-Q3", "2024", "2025"} <= keys
    assert "2024-09" not in keys


@pytest.mark.parametrize("period", ["2024-13", "tháng 8", "2019-01"])
def test_compute_rankings_rejects_a_bad_period_and_says_so_in_vietnamese(unit_tree, in_process, period):
    with pytest.raises(CommandError, match="--period: Kỳ"):
        call_command("compute_rankings", "--period", period)
    assert not RankingRun.objects.filter(state="done").exists()


def test_publish_period_publishes_the_named_scope_for_its_subtree(demo, capsys):
    call_command("publish_period", "--period", "2024-08", "--scope", "Huyện Tiên Lữ")
    assert "Đã công bố tháng 8/2024 cho Huyện Tiên Lữ (lần 1)" in capsys.readouterr().out
    august = period_get(year=2024, month=8)
    assert is_published(period=august, unit=AdministrativeUnit.objects.get(tree="legacy", code="12367"))
    call_command("publish_period", "--period", "2024-08", "--scope", "332", "--skip-published")
    assert "giữ nguyên" in capsys.readouterr().out


def test_publish_period_without_scope_publishes_each_province_with_data(demo, capsys):
    call_command("publish_period", "--period", "2024-08")
    out = capsys.readouterr().out
    assert "Tỉnh Hưng Yên" in out and "Hà Nội" not in out


def test_publish_period_with_an_ambiguous_name_lists_the_candidates_and_publishes_nothing(demo):
    with pytest.raises(CommandError, match="khớp với nhiều đơn vị") as error:
        call_command("publish_period", "--period", "2024-08", "--scope", "Xã Tân Lập")
    assert "mã" in str(error.value)
    from publishing.models import Publication

    assert not Publication.objects.exists()
