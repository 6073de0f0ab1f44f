"""The `commonweal` command: Django's management commands under the product's own name.

`commonweal demo`, `commonweal load_places`, `commonweal migrate` … are the same as `manage.py …`.
A few command groups are pure tools that need no database and no settings; they run without Django:
`commonweal assemblies select …` and `commonweal budgeting tally …`.
"""

from __future__ import annotations

import importlib
import os
import sys

# Command groups that work on files alone; each module has `main(argv) -> int`.
PURE_COMMANDS = {
    "assemblies": "commonweal.assemblies.core.cli",
    "budgeting": "commonweal.budgeting.core.cli",
}


def main(argv: list[str] | None = None) -> None:
    """Run a pure command group or a management command, e.g. `commonweal demo`."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[arguments[0]])
        sys.exit(module.main(arguments[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["commonweal", *arguments])


if __name__ == "__main__":
    main()
