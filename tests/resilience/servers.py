"""Private servers for the fault tests: a Redis and a PostgreSQL cluster of the test's own, on free
loopback ports, that the test may stop and start at will. The shared servers are never touched."""

import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class PrivateRedis:
    """redis-server on a free port, in the foreground of a child process: stop() and start() again."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.ping, timeout=10, what="the private Redis to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        _wait_for(lambda: not self.ping(), timeout=10, what="the private Redis to stop")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb in a temporary folder) on a free port.

    The server refuses to run as root, so when the tests run as root the cluster belongs to the
    `postgres` system user.
    """

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise RuntimeError("PostgreSQL server binaries (initdb) are not installed")
        self.bin = Path(binaries[-1]).parent
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="pg-private-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.root, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / program), *args], check=True, capture_output=True, text=True, user=self.user, cwd=self.root
        )

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def copy_database(self, *, source_url: str, name: str) -> str:
        """A copy of a database (schema and rows) under `name` in this cluster; returns its URL."""
        subprocess.run(
            ["psql", self.url("postgres"), "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True
        )
        dump = subprocess.run(["pg_dump", "--no-owner", source_url], check=True, capture_output=True)
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url(name)], input=dump.stdout, check=True, capture_output=True
        )
        return self.url(name)

    def destroy(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def fetch(url: str, timeout: float = 5.0) -> int:
    """The HTTP status of GET url (0 when the connection itself failed)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return 0


class Portal:
    """gunicorn serving the portal with the given environment (database, broker); yields its base URL."""

    def __init__(self, *, log: Path, workers: int = 2, threads: int = 1, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CONN_MAX_AGE": "60",
            **env,
        }
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(workers), "--threads", str(threads), "--timeout", "30", "--log-level", "warning"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT
        )
        _wait_for(lambda: fetch(self.base + "/healthz", timeout=1) in (200, 503), timeout=30, what="gunicorn")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


class Browser:
    """A visitor's cookies and forms over plain HTTP: logs in, follows CSRF-protected forms."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def post(self, path: str, data: dict, *, form_page: str | None = None) -> int:
        """POST a form as a browser would: with the CSRF token from the page that shows it."""
        _status, html = self.get(form_page or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, f"no CSRF token on {form_page or path}"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **data}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def login(self, username: str, password: str) -> None:
        status = self.post("/tai-khoan/login/", {"username": username, "password": password})
        assert status == 302, f"login as {username} answered {status}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at (302), not to follow
