"""What the assemblies actions and the selection run say when they cannot do what was asked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commonweal.assemblies.models import Assembly

NOT_YOURS = "You do not run assemblies or steering groups in this place."


class AssemblyError(ValueError):
    """A request an assemblies action cannot carry out; the message says why in plain words.

    Refusals by rule (who may act) raise PermissionDenied instead; this error is about the request itself.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """Keep the field (None: the whole form) that the message should be shown beside."""
        super().__init__(message)
        self.field = field


def require_stage(assembly: Assembly, allowed: Iterable[str], message: str) -> None:
    """Raise AssemblyError with `message` unless the assembly is at one of the `allowed` stages."""
    if assembly.stage not in set(allowed):
        raise AssemblyError(message)
