"""The ``safeshare`` command: Django's management commands with SafeShare's settings.

Examples: ``safeshare demo``, ``safeshare orgs list --json``,
``safeshare token create --org WMP --role police_officer --name "Case system"``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["safeshare", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
