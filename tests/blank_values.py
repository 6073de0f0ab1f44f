"""Values a page shows blank or as a leaked Python None ("ODS code None"): what a newcomer reads as broken.

A summary list row with an empty value, or any piece of text that is just "None", is reported with what
came before it on the page, so a failing test says where to look.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.hidden = 0  # inside <script>, <style> or <template>
        self.key = ""  # the summary list key (dt) of the row being read
        self.value: str | None = None  # the summary list value (dd) being read
        self.depth = 0
        self.before = ""  # the last words read, for the report

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self.hidden += 1
        classes = (dict(attrs).get("class") or "").split()
        if self.value is not None:
            if tag in {"input", "img", "svg"}:  # a value may be a control or an image, not text
                self.value += f"<{tag}>"
            if tag == "dd":
                self.depth += 1
        elif tag == "dt" and "nhsuk-summary-list__key" in classes:
            self.key = ""
        elif tag == "dd" and "nhsuk-summary-list__value" in classes:
            self.value = ""
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"}:
            self.hidden -= 1
        if tag == "dd" and self.value is not None:
            self.depth -= 1
            if self.depth == 0:
                if not self.value.strip():
                    self.found.append(f"{self.key.strip()!r} has an empty value")
                self.value = None

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.value is not None:
            self.value += data
        else:
            self.key += data
        if data.strip() == "None":
            self.found.append(f'"None" after {self.before!r}')
        if data.strip():
            self.before = " ".join((self.before + " " + data).split())[-60:]


def blank_values(html: str) -> list[str]:
    """Return each summary list value that is empty and each piece of text that is just "None"."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
