"""Benchmark of the public pages under gunicorn (2 workers), driven from separate load processes on loopback.

Measures, in one run: a ranking page of 130 units served from the page cache and rendered
uncached (p50, p95, requests per second), a unit profile, and a static file from the same
server as the ceiling. Generates its own data (a synthetic parent with 130 communes, one
published month) in the configured database and removes it afterwards.

    python benchmarks/public_pages.py [--quick]

Ends with one JSON line: {"benchmark": "public_pages", "figures": {...}, "goals": {...}, "goal_met": ...}.
"""

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PARENT_CODE = "BENCH-PARENT"
UNITS = 130
YEAR, MONTH = 2031, 1
GOALS = {"cached_rps_min": 800, "uncached_p50_ms_max": 100}


# --- data -------------------------------------------------------------------------------------------


def data_create() -> None:
    import django

    django.setup()
    from django.db import transaction

    from indicators.models import ClassificationBand, IndicatorKind
    from indicators.selectors import framework_for, total_indicator
    from indicators.services import Value, period_get, revision_apply
    from publishing.services import publication_publish
    from rankings.models import RankingResult
    from units.models import AdministrativeUnit

    data_remove()
    rng = random.Random(130)
    with transaction.atomic():
        parent = AdministrativeUnit.objects.create(
            tree="custom",
            code=PARENT_CODE,
            name="Huyện Thử Nghiệm Hiệu Năng",
            short_name="Thử Nghiệm",
            kind="Huyện",
            level="district",
            latitude=20.6,
            longitude=106.1,
        )
        units = []
        for i in range(UNITS):
            unit = AdministrativeUnit(
                tree="custom",
                code=f"BENCH-{i:03d}",
                name=f"Xã Thử Nghiệm Số {i + 1}",
                short_name=f"Thử Nghiệm {i + 1}",
                kind="Xã",
                level="commune",
                parent=parent,
                latitude=20.3 + rng.random() * 0.6,
                longitude=105.8 + rng.random() * 0.6,
            )
            unit.save()
            units.append(unit)
        framework = framework_for()
        total = total_indicator(framework=framework)
        maxima = {g: float(g.max_points) for g in framework.indicators.filter(kind=IndicatorKind.GROUP)}
        values, totals = [], {}
        for unit in units:
            groups = {g: Decimal(str(round(m * rng.uniform(0.55, 1.0), 2))) for g, m in maxima.items()}
            totals[unit.pk] = sum(groups.values())
            values.append(Value(unit_id=unit.pk, indicator_id=total.pk, points=totals[unit.pk]))
            values += [Value(unit_id=unit.pk, indicator_id=g.pk, points=p) for g, p in groups.items()]
        period = period_get(year=YEAR, month=MONTH)
        revision_apply(
            period=period,
            scope=parent,
            values=values,
            file_name="benchmark.xlsx",
            file_sha256="",
            data_as_of=datetime.datetime(YEAR, MONTH, 28, 12, tzinfo=datetime.UTC),
        )
        bands = list(ClassificationBand.objects.all())
        ordered = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
        RankingResult.objects.bulk_create(
            RankingResult(
                period_key=f"{YEAR}-{MONTH:02d}",
                unit_id=unit_id,
                parent=parent,
                level="commune",
                total=total,
                rank=n,
                rank_of=UNITS,
                total_change=Decimal("0.50"),
                rank_change=rng.randint(-5, 5),
                band=ClassificationBand.band_for(total, bands),
                details={"groups": {}, "points_to_next_rank": 0.1},
            )
            for n, (unit_id, total) in enumerate(ordered, start=1)
        )
        publication_publish(period=period, scope=parent)


def data_remove() -> None:
    import django

    django.setup()
    from django.db import transaction

    from indicators.models import CurrentRevision, ImportRevision, ScoreRecord
    from publishing.models import Publication, PublicScore
    from rankings.models import RankingResult
    from units.models import AdministrativeUnit

    with transaction.atomic():
        units = AdministrativeUnit.objects.filter(tree="custom", code__startswith="BENCH-")
        RankingResult.objects.filter(unit__in=units).delete()
        # The published copy first: it holds the revisions it was published from.
        PublicScore.objects.filter(unit__in=units).delete()
        Publication.objects.filter(scope__in=units).delete()
        CurrentRevision.objects.filter(unit__in=units).delete()
        ScoreRecord.objects.filter(unit__in=units).delete()
        ImportRevision.objects.filter(scope__in=units).delete()
        units.filter(parent__isnull=False).delete()
        units.delete()


# --- load -------------------------------------------------------------------------------------------


def _worker(port: int, paths: list[str], unique: bool, seconds: float, threads: int, out) -> None:
    """One load process: `threads` clients, each sending requests one after another until time is up."""
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        local, count = [], 0
        while time.perf_counter() < stop_at:
            path = paths[count % len(paths)]
            if unique:  # a new URL each time: the page cache cannot answer, the page is rendered
                path += f"&_={os.getpid()}-{n}-{count}"
            count += 1
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            elapsed = time.perf_counter() - start
            if ok:
                local.append(elapsed)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(local)

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors[0]))


def measure(port: int, paths: list[str], *, unique: bool, seconds: float, processes: int, threads: int) -> dict:
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_worker, args=(port, paths, unique, seconds, threads, queue))
        for _ in range(processes)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    if not latencies:
        return {"requests": 0, "errors": errors}
    return {
        "requests": len(latencies),
        "errors": errors,
        "concurrency": processes * threads,
        "rps": round(len(latencies) / min(wall, seconds + 0.5), 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
    }


WRK_SCRIPT = r"""
local n = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function request()
  if os.getenv("BENCH_UNIQUE") == "1" then
    n = n + 1
    return wrk.format("GET", wrk.path .. "&_=" .. id .. "-" .. n)
  end
  return wrk.format("GET", wrk.path)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "errors": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d}\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95)))
end
"""


def measure_wrk(port: int, path: str, *, unique: bool, seconds: float, connections: int) -> dict:
    """The same measure with wrk (C, from Debian): the load generator then costs little CPU."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{int(seconds)}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            env={**os.environ, "BENCH_UNIQUE": "1" if unique else "0"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    data = json.loads(out.split("WRKJSON", 1)[1])
    seconds_run = data["duration_us"] / 1e6
    return {
        "requests": data["requests"],
        "errors": data["errors"],
        "concurrency": connections,
        "rps": round(data["requests"] / seconds_run, 1),
        "p50_ms": round(data["p50_us"] / 1000, 2),
        "p95_ms": round(data["p95_us"] / 1000, 2),
        "generator": "wrk",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, deadline: float = 30) -> None:
    until = time.time() + deadline
    while time.time() < until:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# Longer than 60 lines on purpose: the benchmark reads as one script, each page and load printed as it is measured.
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (2 s per measure)")
    args = parser.parse_args()
    seconds = 2.0 if args.quick else 6.0

    data_create()
    static_root = tempfile.mkdtemp(prefix="portal-bench-static-")
    env = {**os.environ, "STATIC_ROOT": static_root, "DEBUG": "0"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait(port)
        ranking = f"/xep-hang/?parent=custom.{PARENT_CODE}&level=commune&period={YEAR}-{MONTH:02d}&per_page=200"
        profile = "/don-vi/custom/BENCH-007/?period=2031-01"
        # Check the page really lists the 130 units before timing it.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", ranking)
        body = conn.getresponse().read().decode()
        rows = body.count('href="/don-vi/custom/BENCH-')
        if rows < UNITS:
            raise SystemExit(f"ranking page lists {rows} units, expected {UNITS}")
        for path in (ranking, profile):  # warm both workers' caches and connections
            for _ in range(4):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("GET", path)
                c.getresponse().read()
        if shutil.which("wrk"):

            def run(path, unique, concurrency):
                return measure_wrk(port, path, unique=unique, seconds=seconds, connections=concurrency)
        else:  # a Python generator in separate processes; it spends CPU the server could have used

            def run(path, unique, concurrency):
                processes = 2 if concurrency > 2 else 1
                return measure(
                    port, [path], unique=unique, seconds=seconds, processes=processes, threads=concurrency // processes
                )

        figures = {
            "static_file": run("/static/css/portal.css?v=1", False, 8),
            "ranking_130_cached": run(ranking, False, 8),
            # Two clients for two workers: the latency of one render, without queueing.
            "ranking_130_uncached": run(ranking, True, 2),
            "ranking_130_uncached_saturated": run(ranking, True, 8),
            "unit_profile_uncached": run(profile, True, 2),
            "unit_profile_cached": run(profile, False, 8),
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(static_root, ignore_errors=True)
        data_remove()

    ceiling = figures["static_file"].get("rps") or 1
    for name, f in figures.items():
        f["ratio_to_static"] = round(f.get("rps", 0) / ceiling, 3)
        print(
            f"{name:32} {f.get('rps', 0):>9} req/s  p50 {f.get('p50_ms', '-'):>8} ms  p95 {f.get('p95_ms', '-'):>8} ms"
            f"  ×static {f['ratio_to_static']:<6} concurrency {f.get('concurrency')} errors {f.get('errors')}"
        )
    from django.conf import settings
    from django.db import connection

    figures["database"] = connection.vendor
    figures["cache"] = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    figures["cpus"] = os.cpu_count()
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    figures["rows_on_page"] = UNITS
    goal_met = (
        figures["ranking_130_cached"].get("rps", 0) >= GOALS["cached_rps_min"]
        and figures["ranking_130_uncached"].get("p50_ms", 1e9) <= GOALS["uncached_p50_ms_max"]
    )
    print(json.dumps({"benchmark": "public_pages", "figures": figures, "goals": GOALS, "goal_met": goal_met}))


if __name__ == "__main__":
    main()
