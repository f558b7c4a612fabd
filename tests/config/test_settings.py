"""Settings fail loudly, naming the variable, on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import ImproperlyConfiguredEnv, env_bool, env_database

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_rejects_maybe(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfiguredEnv, match="DEBUG='maybe'"):
        env_bool("DEBUG", False)


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host:notaport/db", "postgres:///", "nonsense"])
def test_malformed_database_url_is_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfiguredEnv, match="DATABASE_URL"):
        env_database("DATABASE_URL", "sqlite:///x")


def test_postgres_url_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    config = env_database("DATABASE_URL", "sqlite:///x")
    assert (config["ENGINE"], config["NAME"], config["HOST"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "portal",
        "127.0.0.1",
        5432,
    )


@pytest.mark.parametrize(
    "var, value", [("DEBUG", "maybe"), ("DATABASE_URL", "postgres://h:xx/db"), ("REDIS_URL", "http://x")]
)
def test_start_up_stops_with_a_message_naming_the_variable(var, value):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env[var] = value
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert var in result.stderr
    assert "Traceback" not in result.stderr
