"""Formatting for the evidence pages: money and signed numbers with a true minus sign."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def money(value: float | None) -> str:
    """Write an amount of money: £1,234.56, or −£1,234.56 for a loss."""
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


@register.filter
def signed(value: float | None, places: int = 2) -> str:
    """Write a number with a true minus sign when it is below zero."""
    if value is None:
        return "–"
    return f"{value:.{places}f}".replace("-", "−")


@register.simple_tag
def table_body(section: Any) -> SafeString:
    """The rows of a table, written here rather than in a template loop: a page holds thousands of cells."""
    rows = []
    for row in section.rows:
        cells = []
        for position, cell in enumerate(row):
            if position == 0:
                cells.append(f'<th scope="row" class="nhsuk-table__header">{escape(cell.display)}</th>')
            else:
                cells.append(
                    f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{escape(cell.display)}</td>'
                )
        rows.append(f'<tr class="nhsuk-table__row">{"".join(cells)}</tr>')
    if not rows:
        rows.append(
            f'<tr class="nhsuk-table__row"><td class="nhsuk-table__cell" colspan="{len(section.columns)}">'
            "Nothing to show for these filters.</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
