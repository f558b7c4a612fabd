"""A small fake of the national public-service portal's JSON endpoint, on loopback, for the tests.

It answers `POST /jsp/rest.jsp` (form field `params` holding JSON) as the public scripts describe,
with rows built from the reference dispatches' figures, and can be told to answer in a broken
shape. It records every request (parameters, headers, and how many were in flight at once).
"""

import json
import socketserver
import threading
import time
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .conftest import TIEN_LU_ROWS

# The portal's own ids (its numbering, not the official codes).
HUNG_YEN_ID, TIEN_LU_ID, HA_NOI_ID = "11633", "11638", "11601"
EMPTY_GROUPS = {"CKMB": None, "TDGQ": None, "CLGQ": None, "TTTT": None, "MDHL": None, "MDSH": None}


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def tien_lu_communes() -> list[dict]:
    """The Tiên Lữ appendix of 8/2024: each commune's total and its rank, as the portal would list them."""
    return [
        {
            "ID": f"2{index:04d}",
            "MA_COQUAN": f"000.{index:02d}.38.H33",
            "TEN": name,
            "ROW_STT": index,
            "TONG_SCORE": _number(total),
            **EMPTY_GROUPS,
            "CAPDONVIID": 3,
        }
        for index, (_stt, name, total, _change, _progress) in enumerate(TIEN_LU_ROWS, start=1)
    ]


def hung_yen_districts() -> list[dict]:
    """Mỹ Hào's row of 2/2025 (Công văn of UBND thị xã Mỹ Hào): 91,34 points, first of ten, and its groups."""
    return [
        {
            "ID": "11635",
            "MA_COQUAN": "000.00.35.H33",
            "TEN": "UBND thị xã Mỹ Hào",
            "ROW_STT": 1,
            "TONG_SCORE": 91.34,
            "CKMB": 18,
            "TDGQ": 20,
            "CLGQ": 10,
            "TTTT": 9.6,
            "MDHL": 18,
            "MDSH": 15.8,
            "CAPDONVIID": 2,
        }
    ]


def provinces() -> list[dict]:
    """Hà Nội's row of 12/2024 (Công văn 193/UBND-KSTTHC): 62,28 points, 61st, groups adding to 68,8;
    and two other provinces, which a fetch for Hà Nội leaves out."""
    return [
        {
            "ID": "11631",
            "MA_COQUAN": "000.00.00.H31",
            "TEN": "Thành phố Hải Phòng",
            "ROW_STT": 20,
            "TONG_SCORE": 84.1,
            **EMPTY_GROUPS,
            "CAPDONVIID": 1,
        },
        {
            "ID": HA_NOI_ID,
            "MA_COQUAN": "000.00.00.H26",
            "TEN": "Thành phố Hà Nội",
            "ROW_STT": 61,
            "TONG_SCORE": "62.28",
            "CKMB": "10.4",
            "TDGQ": "17.8",
            "CLGQ": "6.8",
            "TTTT": "6.0",
            "MDHL": "17.5",
            "MDSH": "10.3",
            "CAPDONVIID": 1,
        },
        {
            "ID": HUNG_YEN_ID,
            "MA_COQUAN": "000.00.00.H33",
            "TEN": "Tỉnh Hưng Yên",
            "ROW_STT": 5,
            "TONG_SCORE": 88.5,
            **EMPTY_GROUPS,
            "CAPDONVIID": 1,
        },
    ]


# The months the portal has Hưng Yên's districts for (a test of a quarter adds its other months).
HUNG_YEN_MONTHS = {(2025, 2)}


def answer_for(params: dict) -> list[dict]:
    level, province = params.get("p_loaidonvi"), str(params.get("p_tinh_id"))
    month = (int(params.get("p_nam", 0)), int(params.get("p_thang", 0)))
    if level == 3 and province == HUNG_YEN_ID and str(params.get("p_huyen_id")) == TIEN_LU_ID and month == (2024, 8):
        return tien_lu_communes()
    if level == 2 and province == HUNG_YEN_ID and month in HUNG_YEN_MONTHS:
        return hung_yen_districts()
    if level == 1 and province == "0" and month == (2024, 12):
        return provinces()
    return []


class FakePortal:
    """The WSGI app; `mode` chooses the answer's shape, `failures` how many 500s (or timeouts) come first."""

    def __init__(self):
        self.mode = "ok"
        self.failures = 0
        self.delay = 0.0
        self.overrides: dict[str, dict] = {}  # portal id → keys to change in its row
        self.requests: list[dict] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self._answer(environ, start_response)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = urllib.parse.parse_qs(environ["wsgi.input"].read(length).decode())
        params = json.loads(form["params"][0])
        self.requests.append(
            {
                "params": params,
                "at": time.monotonic(),
                "content_type": environ.get("CONTENT_TYPE", ""),
                "requested_with": environ.get("HTTP_X_REQUESTED_WITH", ""),
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
            }
        )
        time.sleep(self.delay)
        if self.failures > 0:
            self.failures -= 1
            if self.mode == "timeout":
                time.sleep(1.5)  # longer than the tests' client timeout
            start_response("500 Internal Server Error", [("Content-Type", "text/html")])
            return [b"<html><body>Internal error</body></html>"]
        if self.mode == "not-found":
            start_response("404 Not Found", [("Content-Type", "text/html")])
            return [b"<html>404</html>"]
        rows = [{**r, **self.overrides.get(r["ID"], {})} for r in answer_for(params)]
        page, size = int(params.get("pageIndex", 1)), int(params.get("pageSize", 500))
        rows = rows[(page - 1) * size : page * size]
        if self.mode == "html":
            body = b"<!DOCTYPE html><html><head><title>Bao tri</title></head><body>He thong dang bao tri</body></html>"
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body]
        if self.mode == "missing-key":
            rows = [{k: v for k, v in r.items() if k != "TONG_SCORE"} for r in rows]
        elif self.mode == "swapped":
            rows = [{**r, "CKMB": r["TDGQ"], "TDGQ": r["CKMB"]} for r in rows]
        payload: object = rows
        if self.mode == "wrapped":
            payload = {"data": rows, "total": len(rows)}
        elif self.mode == "new-wrapper":
            payload = {"result": {"items": rows}, "status": "OK"}
        elif self.mode == "empty":
            payload = []
        start_response("200 OK", [("Content-Type", "application/json; charset=utf-8")])
        return [json.dumps(payload, ensure_ascii=False).encode()]


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def start() -> tuple[FakePortal, str, callable]:
    """Start the fake on a free loopback port: (app, its URL, stop)."""
    app = FakePortal()
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    return app, f"http://127.0.0.1:{server.server_port}/jsp/rest.jsp", stop
