"""Shared test configuration: database backend choice, PostgreSQL server, browser, factories.

The suite runs twice: ``pytest`` on SQLite, then ``pytest --db=postgres`` on a PostgreSQL server
that this session starts and removes. In the PostgreSQL run only the tests that touch the
database run (tests marked ``django_db`` or using a database fixture): pure-core tests do not
depend on the database, so running them twice would prove nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.postgres import PostgresServer, PostgresUnavailable

# Playwright's sync API runs an event loop in the test thread; the ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}
"""Fixtures that give a test the database. ``django_db_blocker`` is not among them: pytest-django's
own autouse fixtures request it for every test; it counts only where a test or one of our
fixtures asks for it by name (to unblock the database by hand)."""
CHROMIUM = os.environ.get("SAFESHARE_CHROMIUM", "/usr/bin/chromium")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="Database backend for the tests that touch the database.",
    )


def _touches_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db"):
        return True
    if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    if "django_db_blocker" in info.argnames:
        return True
    return any(
        "django_db_blocker" in definition.argnames
        and not getattr(definition.func, "__module__", "").startswith("pytest_django")
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
    )


def _runs_on(item: pytest.Item, backend: str) -> bool:
    """Whether ``item`` belongs to the ``--db=backend`` pass.

    The PostgreSQL pass runs only tests that touch the database; ``sqlite_only`` and
    ``postgres_only`` tests belong to one pass (they exercise that engine's own behaviour)."""
    if backend == "postgres":
        return _touches_database(item) and not item.get_closest_marker("sqlite_only")
    return not item.get_closest_marker("postgres_only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    backend = config.getoption("--db")
    selected, deselected = [], []
    for item in items:
        (selected if _runs_on(item, backend) else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _require(variable: str) -> bool:
    return os.environ.get(variable, "") not in ("", "0")


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for this session, removed afterwards."""
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as error:
        if _require("SAFESHARE_REQUIRE_POSTGRES"):
            pytest.fail(f"SAFESHARE_REQUIRE_POSTGRES is set but {error}", pytrace=False)
        pytest.skip(str(error))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> None:
    """Point Django at the session's PostgreSQL server when the run asks for it."""
    if request.config.getoption("--db") != "postgres":
        return
    server = request.getfixturevalue("postgres_server")
    from django.conf import settings as django_settings
    from django.db import connections

    from safeshare.settings import database_from_url

    config = database_from_url(server.url)
    config["CONN_MAX_AGE"] = 0
    config["CONN_HEALTH_CHECKS"] = False
    django_settings.DATABASES["default"] = config
    connections.__dict__.pop("settings", None)
    with contextlib.suppress(AttributeError):
        del connections["default"]


@pytest.fixture(scope="session")
def demo_snapshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this run keeps the seeded demo (tests/support/demo_snapshot.py): one folder for all
    the processes of a run (``pytest -n`` gives each a folder under the run's own)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "demo-snapshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def demo_logins(settings, tmp_path: Path, demo_snapshots: Path):
    """The demo in this test's database and ``VAR_DIR`` (``tmp_path``), and its logins: seeded
    once per run and copied into each test that asks (tests/support/demo_snapshot.py). Its
    letters go to ``tmp_path / "letters"``; no notice goes through an outside service."""
    from tests.support.demo_snapshot import seed_demo

    settings.VAR_DIR = tmp_path
    settings.SAFESHARE_LETTER_DIR = str(tmp_path / "letters")
    settings.SAFESHARE_SMTP_URL = ""
    settings.SAFESHARE_NOTIFY_API_KEY = ""
    process_key = settings.SAFESHARE_LEDGER_HMAC_KEY
    yield seed_demo(demo_snapshots, settings)
    if process_key != settings.SAFESHARE_LEDGER_HMAC_KEY:  # the copy's key, for this test only
        from safeshare.ledger.keys import hmac_key

        hmac_key.cache_clear()


@pytest.fixture
def db_vendor() -> str:
    """``sqlite`` or ``postgresql``: the backend this test runs on."""
    from django.db import connection

    return connection.vendor


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (browsers cannot be downloaded here)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = (
            f"Chromium was not found at {CHROMIUM}. Install it with: apt-get install chromium"
        )
        if _require("SAFESHARE_REQUIRE_BROWSER"):
            pytest.fail(f"SAFESHARE_REQUIRE_BROWSER is set but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) pointed at the live test server."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def pytest_configure(config: pytest.Config) -> None:
    """Tests hash passwords with a fast hasher; test_passwords.py checks the real one (Argon2).
    They speak plain HTTP (test client, live server), as ``make run`` does with
    ``SAFESHARE_HTTPS=0``; the production default is tested in tests/security/test_headers.py.
    Static files are looked up when asked for (tests/web/test_static_files.py checks them as
    production serves them)."""
    from django.conf import settings as django_settings

    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_settings.SECURE_SSL_REDIRECT = False
    # WhiteNoise otherwise walks every static file (about 1,300) each time a test client is
    # made, once per test: it looks each file up when asked instead, as with DEBUG on.
    django_settings.WHITENOISE_AUTOREFRESH = True
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # each process of ``pytest -n`` keeps its own keys, sockets and files
        var_dir = Path(django_settings.VAR_DIR) / worker
        var_dir.mkdir(parents=True, exist_ok=True)
        django_settings.VAR_DIR = var_dir
        os.environ["SAFESHARE_VAR_DIR"] = str(var_dir)
