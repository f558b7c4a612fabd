"""Strict readers for settings that come from the environment.

A bad value stops start-up with a message that names the variable: a typo in
production must never silently become a default.
"""

import os
from urllib.parse import urlsplit

import environ


class ImproperlyConfiguredEnv(Exception):
    """An environment variable holds a value the portal cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a boolean; use one of: 1, 0, true, false, yes, no, on, off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_DB_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}


def env_database(name: str, default: str) -> dict:
    """Parse a database URL (postgres://user@host:port/db or sqlite:///path) or fail naming the variable."""
    raw = os.environ.get(name) or default
    parts = urlsplit(raw)
    if parts.scheme not in _DB_SCHEMES:
        raise ImproperlyConfiguredEnv(
            f"{name}={raw!r} is not a database URL: expected postgres://USER@HOST:PORT/NAME or sqlite:///PATH"
        )
    if parts.scheme != "sqlite":
        try:
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ImproperlyConfiguredEnv(f"{name}={raw!r} has an invalid port") from None
        if not parts.hostname or not parts.path.strip("/"):
            raise ImproperlyConfiguredEnv(f"{name}={raw!r} must name a host and a database")
    config = environ.Env.db_url_config(raw)
    if parts.scheme != "sqlite":
        config["ENGINE"] = "django.db.backends.postgresql"
    return config


def env_redis(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not a Redis URL: expected redis://HOST:PORT/DB")
    try:
        parts.port  # noqa: B018
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={raw!r} has an invalid port") from None
    return raw
