"""One owner per model: every write to a model is in its own app's ``actions.py``.

The source tree is read with ``ast`` (nothing is imported), so the test is pure and fast. It
fails on an ORM write (``.save()``, ``.delete()``, ``Model.objects.create()``, a queryset's
``.update()``/``.delete()``, ``bulk_create``, ``get_or_create``...) or a raw ``INSERT``,
``UPDATE`` or ``DELETE`` statement outside the allowed modules, and on an ``actions.py`` writing
``Model.objects`` of a model another app defines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "safeshare"

WRITES = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
ALWAYS_WRITES = {
    "save",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
QUERYSET_STEPS = {
    "objects",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "using",
    "only",
    "defer",
    "annotate",
}
RAW_WRITE = re.compile(r"\b(INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+(AS\s+\w+\s+)?SET)\b")

# Modules other than ``<app>/actions.py`` that may write, each with its reason. Keep it short.
ALLOWED = {
    # The ledger's documented storage layer: raw SQL that sequences entries and stores the
    # subtree cache, called only by the sequencer (``ledger/service.py``, a worker job) and
    # ``ledger/actions.py``.
    "ledger/storage.py": "the ledger's storage layer (docs/ledger.md)",
    # The register's storage (blocking keys, posting lists) and index, called from its actions.
    "register/storage.py": "the register's storage layer (docs/adr/0005)",
    "register/service.py": "the register's index, written only from actions",
    # The sign-in and API-token lockouts: their own ``do_…`` actions (durable transactions) on
    # the accounts app's throttle and notice tables, kept beside the address and key rules.
    "accounts/lockout.py": "the accounts app's lockout actions",
    # The read audit: one record per read, written in the ledger's read action's transaction.
    "accounts/read_audit.py": "the accounts app's read-audit action",
    # Recovery of the second factor and passkeys: their own ``do_…`` actions (durable
    # transactions), kept apart from the administration of accounts.
    "accounts/recovery.py": "the accounts app's second-factor recovery action",
    "accounts/passkeys.py": "the accounts app's passkey actions",
    # Administration: organisations, invitations, users and tokens changed by administrators,
    # each change in a durable transaction with its ledger entry (docs/adr/0024).
    "accounts/administration.py": "the accounts app's administration actions",
    # Data-sharing agreements: set up and stopped by administrators, each change in a durable
    # transaction with its ledger entry (docs/adr/0045).
    "referrals/agreements.py": "the referrals app's data-sharing agreement actions",
    # The generic bulk writer (COPY / executemany): each owner describes its own table
    # (``people/bulk.py``, ``protocol/bulk.py``) and writes only from an action's transaction.
    "kernel/bulk.py": "bulk inserts for the owners' bulk modules, inside their actions",
}


def _receiver_names(node: ast.AST) -> list[str]:
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names


def _source_files() -> list[Path]:
    return sorted(
        path
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts
    ) + sorted(SOURCE.glob("*/management/commands/*.py"))


def _model_owners() -> dict[str, str]:
    """Model class name -> the app that defines it (from every ``models.py``)."""
    owners: dict[str, str] = {}
    for path in SOURCE.glob("*/models.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                owners[node.name] = path.parent.name
    return owners


def _writes(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, text, model class if named) for every write in a file."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method not in WRITES:
                continue
            names = _receiver_names(node.func.value)
            if method in ALWAYS_WRITES or QUERYSET_STEPS & set(names):
                model = names[-1] if "objects" in names else None
                found.append((node.lineno, ast.unparse(node.func), model))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and RAW_WRITE.search(node.value)
        ):
            found.append((node.lineno, node.value.strip()[:60], None))
    return found


def _relative(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


def test_models_are_written_only_by_their_owners_actions():
    owners = _model_owners()
    wrong = []
    for path in _source_files():
        relative = _relative(path)
        is_actions = path.name == "actions.py"
        for line, text, model in _writes(path):
            if not is_actions and relative not in ALLOWED:
                wrong.append(f"{relative}:{line}: {text} (write outside actions.py)")
            elif is_actions and model in owners and owners[model] != path.parent.name:
                wrong.append(
                    f"{relative}:{line}: {text} writes {owners[model]}.{model}; call "
                    f"{owners[model]}'s actions instead"
                )
    assert not wrong, "Model writes outside their owner's actions:\n" + "\n".join(wrong)


def test_the_allow_list_has_no_stale_entries():
    for relative in ALLOWED:
        path = SOURCE / relative
        assert path.exists(), f"{relative} is gone; remove it from ALLOWED"
        assert _writes(path), f"{relative} no longer writes; remove it from ALLOWED"


def test_the_scan_sees_each_kind_of_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(x, qs):\n"
        "    x.save()\n"
        "    Thing.objects.create(a=1)\n"
        "    Thing.objects.filter(a=1).update(a=2)\n"
        "    qs.all().delete()\n"
        "    Thing.objects.get_or_create(a=1)\n"
        "    run('INSERT INTO t (a) VALUES (1)')\n"
        "    {}.update(a=1)\n"
        "    hashlib.sha256().update(b'')\n",
        encoding="utf-8",
    )
    lines = [line for line, _, _ in _writes(sample)]
    assert sorted(lines) == [2, 3, 4, 5, 6, 7]
