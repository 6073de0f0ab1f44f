"""Reading the audit: whether its hash chains hold."""

from __future__ import annotations

from collections.abc import Iterator

from commonweal.audit.chain import Break, ChainRow, Head, content_of, first_break
from commonweal.audit.models import AuditEvent, ChainedRecord, ChainHead, RecordAccess, _content_type_key

CHAINED_MODELS: tuple[type[ChainedRecord], ...] = (RecordAccess, AuditEvent)


def _rows(model: type[ChainedRecord]) -> Iterator[ChainRow]:
    label = model._meta.label
    for row in model.objects.order_by("pk").iterator(chunk_size=2000):
        yield ChainRow(row.pk, row.prev_hash, row.row_hash, content_of(label, row, _content_type_key))


def chain_break(model: type[ChainedRecord]) -> Break | None:
    """The first broken link of one model's chain, or None."""
    label = model._meta.label
    head_row = ChainHead.objects.filter(chain=label).first()
    head = Head(head_row.last_id, head_row.last_hash, head_row.length) if head_row else None
    return first_break(model._meta.db_table, _rows(model), head)


def chain_heads() -> dict[str, ChainHead]:
    """Each chain's head, by model label (its last hash may be copied elsewhere as an anchor)."""
    return {head.chain: head for head in ChainHead.objects.all()}
