"""`select`: choose an assembly from replication-format CSV files and publish probabilities (no Django)."""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from commonweal.assemblies.core.pool import SelectionInputError
from commonweal.assemblies.core.replication_format import read_problem
from commonweal.assemblies.core.selection import Method, panel_meets_quotas, select
from commonweal.ui import spreadsheets


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of exiting, so main() decides the exit code."""

    def error(self, message: str) -> NoReturn:
        """Raise the usage error as a SelectionInputError."""
        raise SelectionInputError(f"{message}\n{self.format_usage().strip()}")


def _parser() -> _Parser:
    """Return the parser for `select`."""
    parser = _Parser(prog="commonweal assemblies", description="Fair stratified selection of an assembly.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    choose = commands.add_parser("select", help="select a panel and write each respondent's probability")
    choose.add_argument(
        "--categories", type=Path, required=True, help="quotas CSV (min and max per feature value)"
    )
    choose.add_argument("--respondents", type=Path, required=True, help="respondents CSV, one per row")
    choose.add_argument("--panel-size", type=int, required=True, help="number of panel members (k)")
    choose.add_argument("--method", choices=[method.value for method in Method], default=Method.LEXIMIN.value)
    choose.add_argument(
        "--seed", type=int, default=None, help="seed of the draw (default: a fresh one, printed)"
    )
    choose.add_argument(
        "--probabilities", type=Path, required=True, help="where to write the probabilities CSV"
    )
    choose.add_argument(
        "--id-column", default=None, help="respondents column holding ids (default: row number)"
    )
    choose.add_argument(
        "--household-columns",
        default="",
        help="comma-separated address columns; at most one person per household is selected",
    )
    choose.add_argument(
        "--legacy-draws", type=int, default=1000, help="runs used to estimate legacy probabilities"
    )
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run `select …`: print the panel, write the probabilities; return 0, or 2 with a message."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        arguments = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        return _select(arguments, out)
    except SelectionInputError as error:
        print(f"error: {error}", file=err)
        return 2
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror or error}", file=err)
        return 2


def _select(arguments: argparse.Namespace, out: TextIO) -> int:
    """Carry out `select` with parsed arguments."""
    household_columns = tuple(
        column.strip() for column in arguments.household_columns.split(",") if column.strip()
    )
    problem = read_problem(
        arguments.categories,
        arguments.respondents,
        arguments.panel_size,
        id_column=arguments.id_column,
        household_columns=household_columns,
    )
    if arguments.legacy_draws < 1:
        raise SelectionInputError("--legacy-draws must be at least 1.")
    seed = arguments.seed
    if seed is None:
        # A fresh seed comes from the operating system; it is printed so the draw can be repeated.
        seed = secrets.randbits(32)
    method = Method(arguments.method)
    result, panel = select(problem, method, seed, legacy_draws=arguments.legacy_draws)
    with arguments.probabilities.open("w", newline="", encoding="utf-8") as handle:
        writer = spreadsheets.writer(handle)
        writer.writerow(["respondent", "probability", "selected"])
        chosen = set(panel.volunteer_ids)
        for entry in result.probabilities:
            writer.writerow(
                [entry.volunteer_id, f"{entry.probability:.10f}", int(entry.volunteer_id in chosen)]
            )
    print(f"method: {method.value}", file=out)
    print(f"seed: {seed}", file=out)
    print(f"pool: {len(problem.volunteers)}, panel size: {problem.panel_size}", file=out)
    print(f"minimum selection probability: {result.minimum_probability:.6f}", file=out)
    for note in result.notes:
        print(f"note: {note}", file=out)
    faults = panel_meets_quotas(problem, panel.volunteer_ids)
    print(f"quotas met: {'yes' if not faults else 'NO - ' + '; '.join(faults)}", file=out)
    print(f"probabilities written to {arguments.probabilities}", file=out)
    print("panel:", file=out)
    for volunteer in problem.volunteers:
        if volunteer.volunteer_id in chosen:
            values = ", ".join(f"{name}={value}" for name, value in volunteer.features)
            print(f"  {volunteer.volunteer_id}: {values}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
