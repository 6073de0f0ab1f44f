"""Checks of the two dependency locks, and the licence report of the runtime set.

    python tools/locks.py check               # `make check`: each lock is what it says it is
    python tools/locks.py licences [--write]  # the runtime licences; --write updates docs/licences.md

`requirements.lock` is what `make run` installs (the runtime dependencies of pyproject.toml) and
`requirements-dev.lock` what `make test` installs (runtime plus the `dev` extra); `make lock` compiles
both with pip-tools. The check fails when the runtime lock holds a package that nothing in the runtime
dependencies needs (so only development could), when a development tool named in the `dev` extra is in
the runtime lock, when a pin has no hash, when the two locks disagree on a version, or when either lock
names an index, a find-links folder or a local path. The licence report reads the installed packages'
metadata with pip-licenses and fails on a licence that is not OSI-approved.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
LICENCE_REPORT = ROOT / "docs" / "licences.md"
PROJECT = "commonweal (pyproject.toml)"

# Licences approved by the Open Source Initiative (https://opensource.org/licenses), as packages spell
# them in their metadata: SPDX identifiers, trove classifiers and the common free-text names.
OSI_APPROVED = {
    "0BSD",
    "Apache-2.0",
    "Apache Software License",
    "Apache License 2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD License",
    "ISC",
    "ISC License (ISCL)",
    "MIT",
    "MIT License",
    "MIT-CMU",
    "MIT-0",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "AGPL-3.0-or-later",
    "MPL-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)",
    "PSF-2.0",
    "Python Software Foundation License",
    "LGPL-3.0-or-later",
    "GNU Lesser General Public License v3 or later (LGPLv3+)",
    "Zlib",
    "Unlicense",
    "The Unlicense (Unlicense)",
}
# Licences read that are not on the list above, each reviewed by hand: package -> (the exact licence
# text read, why it is acceptable). A change of the text read brings the package back for review.
REVIEWED = {
    "numpy": (
        "BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0",
        "CC0-1.0 covers one bundled component: a public-domain dedication (free software for the FSF) "
        "that was never put to the OSI; every other part is OSI-approved",
    ),
    "qrcode": (
        "BSD License; Other/Proprietary License",
        "its LICENSE file is the 3-clause BSD licence (Lincoln Loop); the extra 'Other/Proprietary' "
        "classifier in its metadata does not match any file in the package",
    ),
}
# An SPDX expression such as "MIT OR Apache-2.0" is approved when each of its parts is.
_EXPRESSION_SPLIT = re.compile(r"\s+(?:OR|AND|WITH)\s+|[()]|;\s*")

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
_VIA_ONE = re.compile(r"^\s+# via (.+)$")
_VIA_HEAD = re.compile(r"^\s+# via$")
_VIA_MORE = re.compile(r"^\s+#   (.+)$")
_MACHINE_OPTION = re.compile(r"^\s*(--index-url|--extra-index-url|-i\s|--find-links|-f\s|--trusted-host)")
_LOCAL_PATH = re.compile(r"(^|\s|@\s*)(file:|/|\./|\.\./|~)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pin:
    version: str
    hashed: bool = False
    via: list[str] = field(default_factory=list)


def read_lock(text: str) -> dict[str, Pin]:
    """Each pinned package with its version, whether it carries a hash and what needs it ("# via")."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    in_via = False
    for line in text.splitlines():
        if match := _PIN.match(line):
            current = pins[normalise(match.group(1))] = Pin(match.group(2))
            in_via = False
            current.hashed = "--hash=" in line
        elif current is not None and "--hash=" in line:
            current.hashed = True
        elif current is not None and (match := _VIA_ONE.match(line)):
            current.via.append(match.group(1).strip())
        elif current is not None and _VIA_HEAD.match(line):
            in_via = True
        elif current is not None and in_via and (match := _VIA_MORE.match(line)):
            current.via.append(match.group(1).strip())
        elif not line.strip() or not line.lstrip().startswith("#"):
            in_via = False
    return pins


def machine_lines(text: str) -> list[str]:
    """Lines that tie a lock to one machine: index options, find-links folders, local paths."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("--hash="):
            continue
        if _MACHINE_OPTION.match(stripped) or _LOCAL_PATH.search(stripped.split("\\")[0]):
            found.append(stripped)
    return found


def dev_tools() -> set[str]:
    """The packages named in pyproject.toml's `dev` extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = set()
    for requirement in project["optional-dependencies"]["dev"]:
        names.add(normalise(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]))
    return names


def check_runtime_lock(pins: dict[str, Pin], tools: set[str]) -> list[str]:
    """Problems with the runtime lock: packages only development needs, pins without hashes."""
    problems = []
    needed: set[str] = set()
    changed = True
    while changed:  # walk "# via" from the project's own dependencies outwards
        changed = False
        for name, pin in pins.items():
            if name not in needed and any(
                via == PROJECT or normalise(via.split(" ")[0]) in needed for via in pin.via
            ):
                needed.add(name)
                changed = True
    for name, pin in sorted(pins.items()):
        if name not in needed:
            problems.append(
                f"requirements.lock: {name}=={pin.version} is not needed by the runtime dependencies "
                "(only development could need it); compile the locks with `make lock`"
            )
        elif name in tools:
            problems.append(f"requirements.lock: {name} is a development tool (pyproject's `dev` extra)")
        if not pin.hashed:
            problems.append(f"requirements.lock: {name}=={pin.version} has no hash")
    return problems


def check_dev_lock(pins: dict[str, Pin], runtime: dict[str, Pin]) -> list[str]:
    problems = []
    for name, pin in sorted(pins.items()):
        if not pin.hashed:
            problems.append(f"requirements-dev.lock: {name}=={pin.version} has no hash")
    for name, pin in sorted(runtime.items()):
        if name not in pins:
            problems.append(f"requirements-dev.lock: lacks {name}, which the runtime lock pins")
        elif pins[name].version != pin.version:
            problems.append(
                f"requirements-dev.lock: {name}=={pins[name].version} but requirements.lock has {pin.version}"
            )
    return problems


def check(runtime_text: str, dev_text: str) -> list[str]:
    problems = []
    for label, text in (("requirements.lock", runtime_text), ("requirements-dev.lock", dev_text)):
        problems += [f"{label}: names a machine's index or path: {line}" for line in machine_lines(text)]
    runtime = read_lock(runtime_text)
    problems += check_runtime_lock(runtime, dev_tools())
    problems += check_dev_lock(read_lock(dev_text), runtime)
    return problems


def approved(licence: str) -> bool:
    parts = [part.strip() for part in _EXPRESSION_SPLIT.split(licence) if part and part.strip()]
    return bool(parts) and all(part in OSI_APPROVED for part in parts)


def acceptable(name: str, licence: str) -> bool:
    """OSI-approved, or exactly the licence text a reviewer accepted for this package."""
    reviewed = REVIEWED.get(normalise(name))
    return approved(licence) or (reviewed is not None and reviewed[0] == licence)


def licences(runtime: dict[str, Pin]) -> list[dict[str, str]]:
    """Name, version and licence of each runtime package, from the installed metadata (pip-licenses)."""
    output = subprocess.run(  # noqa: S603 - pip-licenses from this environment, fixed arguments
        [
            str(Path(sys.executable).with_name("pip-licenses")),
            "--from=mixed",
            "--format=json",
            "--packages",
            *sorted(runtime),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [
        {"name": row["Name"], "version": row["Version"], "licence": row["License"]}
        for row in json.loads(output)
        if normalise(row["Name"]) in runtime
    ]
    return sorted(rows, key=lambda row: normalise(row["name"]))


def render(rows: list[dict[str, str]]) -> str:
    lines = [
        "# Licences of the runtime dependencies",
        "",
        "What `make run` installs (`requirements.lock`), read from the installed packages' metadata",
        "by `python tools/locks.py licences --write` (`make licences`). `make check` fails when this",
        "file is out of date or when a licence is not approved by the Open Source Initiative.",
        "",
        "| package | version | licence |",
        "|---|---|---|",
    ]
    for row in rows:
        reviewed = REVIEWED.get(normalise(row["name"]))
        note = f" (reviewed: {reviewed[1]})" if reviewed and not approved(row["licence"]) else ""
        lines.append(f"| {row['name']} | {row['version']} | {row['licence']}{note} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check both locks")
    licence_parser = commands.add_parser("licences", help="check (or --write) the runtime licence report")
    licence_parser.add_argument("--write", action="store_true", help="write docs/licences.md")
    arguments = parser.parse_args(argv)

    runtime_text, dev_text = RUNTIME_LOCK.read_text(), DEV_LOCK.read_text()
    if arguments.command == "check":
        problems = check(runtime_text, dev_text)
    else:
        rows = licences(read_lock(runtime_text))
        problems = [
            f"{row['name']} {row['version']}: licence {row['licence']!r} is not OSI-approved"
            for row in rows
            if not acceptable(row["name"], row["licence"])
        ]
        missing = sorted(set(read_lock(runtime_text)) - {normalise(row["name"]) for row in rows})
        problems += [
            f"{name}: not installed, so its licence cannot be read (run `make install`)" for name in missing
        ]
        report = render(rows)
        if arguments.write:
            LICENCE_REPORT.write_text(report)
        elif not LICENCE_REPORT.exists() or LICENCE_REPORT.read_text() != report:
            problems.append("docs/licences.md is out of date: run `make licences`")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
