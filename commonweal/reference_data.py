"""Where the shared reference data and standards live.

The project is cloned with `shared/` beside it (`../shared` from the repository root); a deployment
can point elsewhere with COMMONWEAL_SHARED_DIR.
"""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """Return the folder that holds `data/` and `standards/`."""
    configured = os.environ.get("COMMONWEAL_SHARED_DIR")
    if configured:
        return Path(configured).resolve()
    return (REPOSITORY_ROOT.parent / "shared").resolve()


def shared_data_dir() -> Path:
    """Return the folder of real reference data (`shared/data`)."""
    return shared_dir() / "data"


def standards_dir() -> Path:
    """Return the folder of standards (`shared/standards`)."""
    return shared_dir() / "standards"
