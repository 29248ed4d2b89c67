"""Shared pieces of the matching commands: the progress bar and the reject file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import CommandError, OutputWrapper
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from safeshare.register.csvfiles import REJECT_COLUMNS, IdentityCsv, RowProblem, safe_cell


def progress_bar(stream: TextIO | OutputWrapper, quiet: bool, *, rows: bool = False) -> Progress:
    """A bar over the bytes of the file read so far, or over the rows done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if rows else DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        # A command's OutputWrapper passes what rich uses (write, flush, isatty) to its stream.
        console=Console(file=cast(TextIO, stream), stderr=False),
        disable=quiet,
        transient=False,
    )


def input_file(path: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"There is no file at {path}.")
    return file


class Rejects:
    """The reject file, opened when the first bad row arrives."""

    def __init__(self, path: Path, reader: IdentityCsv) -> None:
        self.path = path
        self.reader = reader
        self.count = 0
        self._handle: TextIO | None = None
        self._writer: Any = None

    def add(self, problem: RowProblem) -> None:
        if self._handle is None:
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow([*REJECT_COLUMNS, *self.reader.header])
        self._writer.writerow(
            [problem.row, problem.reason, *(safe_cell(v) for v in problem.values)]
        )
        self.count += 1

    def close(self, *, keep: bool) -> None:
        if self._handle is not None:
            self._handle.close()
            if not keep:
                self.path.unlink(missing_ok=True)
