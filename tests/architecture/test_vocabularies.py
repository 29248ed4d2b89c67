"""Shared vocabularies are defined once, in the kernel, and every page that shows one labels
every value of it. Pure: the source is read with ``ast`` where it is searched."""

from __future__ import annotations

import ast
from pathlib import Path

from safeshare.kernel.identity import IDENTITY_FIELDS
from safeshare.kernel.offences import OffenceCategory

SOURCE = Path(__file__).resolve().parents[2] / "src" / "safeshare"


def _modules():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(path: Path) -> str:
    return str(path.relative_to(SOURCE))


def test_offence_category_is_defined_once_in_the_kernel():
    defined = [
        _name(path)
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name == "OffenceCategory"
    ]
    assert defined == ["kernel/offences.py"]


def test_the_case_and_advice_vocabularies_are_the_kernels():
    from safeshare.advice import eligibility
    from safeshare.cases import lifecycle

    assert lifecycle.OffenceCategory is OffenceCategory
    assert eligibility.OffenceCategory is OffenceCategory


def test_every_page_labels_every_offence_category():
    from safeshare.advice.forms import OFFENCE_LABELS as ADVICE_LABELS
    from safeshare.cases.models import OFFENCE_LABELS as CASE_LABELS

    assert set(CASE_LABELS) == set(OffenceCategory)
    assert set(ADVICE_LABELS) == set(OffenceCategory)


def _identity_lists(tree: ast.AST) -> list[int]:
    """Lines of tuples, lists or sets holding every identity field name."""
    wanted = set(IDENTITY_FIELDS)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            strings = {
                element.value
                for element in node.elts
                if isinstance(element, ast.Constant) and isinstance(element.value, str)
            }
            if wanted <= strings:
                lines.append(node.lineno)
    return lines


def test_the_identity_fields_are_listed_once():
    """No module outside the kernel spells out the identity field list again."""
    repeated = [
        f"{_name(path)}:{line}"
        for path, tree in _modules()
        if _name(path) != "kernel/identity.py"
        for line in _identity_lists(tree)
    ]
    assert repeated == []


def test_the_search_finds_a_list_written_out_again():
    """The search above can fail: it finds the list spelt out, in any order, with more names."""
    source = f"FIELDS = ('role', *{list(reversed(IDENTITY_FIELDS))!r})\nOTHER = ['role']\n"
    assert _identity_lists(ast.parse(source.replace("*", ""))) == [1]


def _imports_pycountry(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name == "pycountry" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "pycountry":
            return True
    return False


def test_the_countries_are_listed_once_in_the_kernel():
    """Only ``kernel/countries.py`` reads the country list; everything else asks it."""
    readers = [_name(path) for path, tree in _modules() if _imports_pycountry(tree)]
    assert readers == ["kernel/countries.py"]


def test_the_search_finds_a_module_that_reads_the_countries_itself():
    assert _imports_pycountry(ast.parse("from pycountry import countries\n"))
    assert _imports_pycountry(ast.parse("import os, pycountry\n"))
    assert not _imports_pycountry(ast.parse("import pycountries\n"))
