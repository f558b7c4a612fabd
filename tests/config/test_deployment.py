"""docker-compose.yml cannot run here; check it agrees with the settings and the code instead."""

from pathlib import Path

import yaml

from config.env import env_database, env_redis

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_web_worker_database_and_redis_with_health_checks():
    services = _compose()["services"]
    assert {"web", "worker", "db", "redis"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "media:/app/media" in services["web"]["volumes"]
    assert "media:/app/media" in services["worker"]["volumes"]


def test_compose_environment_is_accepted_by_the_strict_settings(monkeypatch):
    env = _compose()["services"]["web"]["environment"]
    monkeypatch.setenv("DATABASE_URL", env["DATABASE_URL"])
    config = env_database("DATABASE_URL", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql" and config["HOST"] == "db"
    assert env_redis("REDIS_URL", env["REDIS_URL"]) == "redis://redis:6379/0"
    assert env["DEBUG"] == "0"
    # The web and worker share the same settings; the health check hits the portal's endpoint.
    assert _compose()["services"]["worker"]["environment"] == env
    assert "/healthz" in " ".join(_compose()["services"]["web"]["healthcheck"]["test"])


def test_dockerfile_installs_the_pinned_requirements_and_serves_the_wsgi_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "libpango" in dockerfile
    assert '"gunicorn", "config.wsgi"' in dockerfile


def test_beat_schedules_the_sweeper_that_exists():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks)
    assert {"rankings.requeue_stale", "dispatches.requeue_stale", "imports.requeue_stale"} <= scheduled
