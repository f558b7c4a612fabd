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


def _manage(*args, **env_overrides):
    # A clean environment: earlier tests (the browser ones) set variables a deployment never has.
    drop = {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECURE="1",
        ALLOWED_HOSTS="chiso.example.gov.vn",
        SECRET_KEY="k3y-for-the-deploy-check-only-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    result = _manage("check", SECURE="1")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_embedded_development_secret_key_fails_check_deploy_loudly():
    from config.settings import EMBEDDED_SECRET_KEY

    for secure in ({}, {"SECURE": "1", "SECRET_KEY": EMBEDDED_SECRET_KEY}):
        result = _manage("check", "--deploy", DEBUG="0", ALLOWED_HOSTS="chiso.example.gov.vn", **secure)
        assert result.returncode != 0, result.stdout
        assert "portal.E001" in result.stderr and "embedded development key" in result.stderr


def test_the_docker_compose_environment_passes_check_deploy():
    import re

    import yaml

    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["environment"]
    values = {"SECRET_KEY": "k3y-from-the-operators-env-file-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f", "ALLOWED_HOSTS": ""}

    def substituted(text: str) -> str:  # ${NAME:?msg} and ${NAME:-default}, as compose reads .env
        return re.sub(
            r"\$\{(\w+)(?::[?-]([^}]*))?\}", lambda m: values.get(m.group(1)) or (m.group(2) or ""), str(text)
        )

    environment = {name: substituted(value) for name, value in env.items()}
    environment["ALLOWED_HOSTS"] = "chiso.example.gov.vn"
    assert environment["SECURE"] == "1"
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
