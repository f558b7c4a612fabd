"""Shared fixtures: the real unit tree, demo data, and skips for parts the machine lacks."""

import ctypes.util
import glob
import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from units.models import AdministrativeUnit
from units.services import units_load

from .shared_data import shared_data

# Fixtures that start a real Celery worker: shared by the task, fault and recovery tests.
from .workers import demo_committed, start_worker, worker_log  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
# What a test marked `needs(NAME)` runs or loads, and the Debian package that brings it: a machine
# without it skips the test with that reason (CI installs them all and fails on any skip).
NEEDED = {
    "pdftoppm": "poppler-utils",
    "redis-server": "redis-server",
    "initdb": "postgresql",
    "pg_ctl": "postgresql",
    "pg_dump": "postgresql-client",
    "psql": "postgresql-client",
    "libharfbuzz-subset": "libharfbuzz-subset0",
}


def missing(name: str) -> str | None:
    """Why a test that needs `name` cannot run here, or None when it can."""
    if name.startswith("lib"):
        found = ctypes.util.find_library(name.removeprefix("lib")) is not None
    elif name in ("initdb", "pg_ctl"):  # the server's programs are not on PATH on Debian
        found = bool(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or shutil.which(name) is not None
    else:
        found = shutil.which(name) is not None
    if found:
        return None
    return f"needs {name} (apt-get install {NEEDED.get(name, name)})"


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    has_browser = shutil.which(CHROMIUM) is not None
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            # Every transactional test restores what migrations created (the catalogue, content
            # types) instead of letting the flush re-run post_migrate: mixing the two makes the
            # next serialized restore collide with the recreated content types.
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…"))
        if "redis" in item.keywords and not (has_redis and on_postgres):
            item.add_marker(pytest.mark.skip(reason="needs Redis and PostgreSQL: set REDIS_URL and DATABASE_URL"))
        if "browser" in item.keywords and not has_browser:
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"))
        for needs in item.iter_markers("needs"):
            reasons = [r for r in (missing(name) for name in needs.args) if r]
            if reasons:
                item.add_marker(pytest.mark.skip(reason="; ".join(reasons)))


@pytest.fixture(autouse=True)
def _portal_language():
    """Every test starts in the portal's language. A request for an English page leaves English active in
    the thread (the locale middleware activates it and nothing puts it back), so without this a later
    test that calls a service directly would get English messages, depending on which tests ran first."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_hashing_and_no_lockout(request, settings):
    # Argon2 is deliberately slow; tests that check hashing ask for it. The login lockout needs a
    # request in authenticate(), which Client.login() does not pass; tests of the lockout enable it.
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "lockout" not in request.keywords:
        settings.AXES_ENABLED = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real unit tree once per test database (tests roll back around it; after a
    transactional test's flush, the next test that needs the tree gets it back by COPY).

    At the end, on PostgreSQL, close what other sessions are still connected: the live server's
    request threads can outlive their test with a connection open, and the test database cannot
    be dropped while any is.
    """
    with django_db_blocker.unblock():
        shared_data("units", _load_units)
    yield
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


def ensure_reference_data() -> None:
    """Put back what migrations and the loader provide, after a transactional test flushed the tables."""
    from importlib import import_module

    from django.apps import apps

    from indicators.models import Framework

    if not Framework.objects.exists():
        import_module("indicators.migrations.0002_catalogue_766").load(apps, None)
        import_module("indicators.migrations.0005_roles_of_766_and_ranks_on_totals").catalogue(apps)
    if not AdministrativeUnit.objects.filter(tree="legacy").exists():
        shared_data("units", _load_units)


def _load_units() -> None:
    units_load(tree="all")


@pytest.fixture
def unit_tree(db):
    """The real unit tree and the catalogue, reloaded if a transactional test flushed them."""
    ensure_reference_data()


@pytest.fixture
def demo(unit_tree):
    from indicators.demo import demo_load

    demo_load()


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
