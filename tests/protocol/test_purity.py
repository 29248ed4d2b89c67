"""The pure cores import nothing from Django."""

from __future__ import annotations

import subprocess
import sys

PURE_MODULES = [
    "safeshare.cases.lifecycle",
    "safeshare.protocol.policy",
    "safeshare.protocol.referral",
    "safeshare.protocol.protection",
    "safeshare.protocol.enforcement",
    "safeshare.protocol.clearance",
    "safeshare.protocol.overrides",
    "safeshare.protocol.references",
]


def test_pure_modules_do_not_import_django():
    script = (
        "import importlib, sys\n"
        f"for name in {PURE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "from safeshare.protocol.policy import available_policies, load_policy\n"
        "for policy_id in available_policies():\n"
        "    load_policy(policy_id)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, f"django modules imported: {result.stdout}{result.stderr}"
