"""The engine is a library: nothing in ``safeshare.matching`` imports Django or an app."""

import pkgutil
import subprocess
import sys

import safeshare.matching

FORBIDDEN = ("django", "safeshare.register", "safeshare.protocol", "safeshare.people")


def test_no_engine_module_imports_django_or_an_app():
    modules = sorted(
        f"safeshare.matching.{m.name}" for m in pkgutil.iter_modules(safeshare.matching.__path__)
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""}, timeout=120)


def test_the_register_app_is_installed_under_its_kept_label():
    from django.apps import apps

    config = apps.get_app_config("matching")
    assert config.name == "safeshare.register"
    assert config.get_model("RegisterEntry")._meta.db_table == "matching_registerentry"
