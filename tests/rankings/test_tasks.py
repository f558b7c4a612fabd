import pytest

from indicators.periods import PeriodKeyError
from rankings.models import RankingResult, RankingRun
from rankings.tasks import rankings_compute_task

pytestmark = pytest.mark.django_db


def test_the_task_marks_its_run_done_with_the_number_of_rows(demo):
    run = RankingRun.objects.create(period_key="2024-08")
    rankings_compute_task.apply(args=[run.pk], throw=True)
    run.refresh_from_db()
    assert run.state == "done" and run.started_at and run.finished_at and run.error == ""
    assert run.result_count == RankingResult.objects.filter(period_key="2024-08").count() > 0


def test_a_failing_run_is_marked_failed_with_the_reason_and_not_retried(unit_tree):
    run = RankingRun.objects.create(period_key="2024-13")
    with pytest.raises(PeriodKeyError):  # a bug or bad data: raised at once, not retried
        rankings_compute_task.apply(args=[run.pk], throw=True)
    run.refresh_from_db()
    assert run.state == "failed"
    assert "tháng phải từ 1 đến 12" in run.error
    assert not RankingResult.objects.exists()
