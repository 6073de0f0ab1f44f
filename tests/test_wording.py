"""Words shown to people: a count is written in the singular or the plural, never as "project(s)"."""

import re
from pathlib import Path

from django.conf import settings

BRACKETED_PLURAL = re.compile(r"[A-Za-z]\((s|es)\)")


def _product_files() -> list[Path]:
    root = Path(settings.BASE_DIR) / "commonweal"
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.suffix in (".py", ".html", ".txt")
        and "tests" not in path.parts
        and "migrations" not in path.parts
    ]


def test_no_text_writes_a_plural_in_brackets():
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in _product_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if BRACKETED_PLURAL.search(line)
    ]
    assert found == []


def test_the_check_finds_a_plural_in_brackets():
    assert BRACKETED_PLURAL.search('f"{count} project(s) added"')
    assert not BRACKETED_PLURAL.search("a pair (s, t), or (s) on its own")
