"""Compute a period's rankings: queued on Celery when a broker is configured, in process otherwise; waits."""

import time

from django.core.management.base import BaseCommand, CommandError

from config.celery import app
from indicators.periods import PeriodKeyError, period_span
from rankings.models import RankingRun
from rankings.services import periods_with_scores, ranking_run_execute, rankings_enqueue

# How long the workers have to answer the ping: a live worker answers in milliseconds.
PING_TIMEOUT_S = 2.0


class Command(BaseCommand):
    help = "Tính xếp hạng của một kỳ (YYYY-MM, YYYY-Qn hoặc YYYY) hoặc của mọi kỳ có số liệu (--all), và chờ kết quả."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="Kỳ: 2024-08, 2024-Q3 hoặc 2024.")
        parser.add_argument("--all", action="store_true", help="Mọi tháng có số liệu, cùng các quý và năm chứa chúng.")
        parser.add_argument("--timeout", type=float, default=600, help="Số giây chờ tối đa cho mỗi kỳ (mặc định 600).")

    def handle(self, *args, **options):
        if bool(options["period"]) == bool(options["all"]):
            raise CommandError("Ghi --period YYYY-MM (hoặc YYYY-Qn, YYYY) hoặc --all.")
        try:
            keys = periods_with_scores() if options["all"] else [period_span(options["period"]).key]
        except PeriodKeyError as exc:
            raise CommandError(f"--period: {exc}") from None
        if not keys:
            self.stdout.write("Chưa có kỳ nào có số liệu; không có gì để tính.")
            return
        queued = not app.conf.task_always_eager
        if queued:
            self._worker_answers()
        failed = []
        for key in keys:
            run = self._run(key, queued=queued, timeout=options["timeout"])
            if run.state == RankingRun.State.DONE:
                self.stdout.write(f"{key}: đã tính {run.result_count} kết quả.")
            else:
                failed.append(f"{key}: {run.get_state_display()} {run.error}".strip())
        if failed:
            raise CommandError("Không tính xong: " + "; ".join(failed))

    def _worker_answers(self) -> None:
        """Ask the workers to answer (Celery's ping) before queueing anything: with none, say so at once."""
        start = "celery -A config worker -l info"
        try:
            replies = app.control.ping(timeout=PING_TIMEOUT_S)
        except Exception as exc:  # the broker itself is unreachable (kombu and redis raise several types)
            raise CommandError(
                f"Không kết nối được hàng đợi (CELERY_BROKER_URL hoặc REDIS_URL): {exc}. "
                "Kiểm tra Redis (REDIS_URL) đang chạy, hoặc bỏ REDIS_URL để tính ngay trong lệnh này."
            ) from None
        if not replies:
            raise CommandError(
                f"Không có Celery worker nào trả lời sau {PING_TIMEOUT_S:g} giây, nên không có ai tính xếp hạng. "
                f"Hãy chạy worker trong thư mục dự án với cùng cấu hình: {start} "
                "(hoặc `docker compose up -d worker`), rồi chạy lại lệnh."
            )

    def _run(self, key: str, *, queued: bool, timeout: float) -> RankingRun:
        if not queued:
            # Embedded default: no broker, so the work happens here, recorded as a run like any other.
            run = RankingRun.objects.create(period_key=key)
            try:
                return ranking_run_execute(run_id=run.pk)
            except Exception as exc:
                RankingRun.objects.filter(pk=run.pk).update(state=RankingRun.State.FAILED, error=str(exc)[:2000])
                run.refresh_from_db()
                return run
        run = rankings_enqueue(period_key=key)  # outside a transaction: sent at once
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.state in (RankingRun.State.DONE, RankingRun.State.FAILED):
                return run
            time.sleep(0.2)
        raise CommandError(
            f"{key}: hết {timeout:g} giây mà lượt tính vẫn “{run.get_state_display()}”. "
            "Kiểm tra Celery worker (celery -A config worker) đang chạy."
        )
