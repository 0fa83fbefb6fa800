"""Indian fiscal years (April-March), identified by the calendar year they start in.

``2024`` is FY2024-25. Users may write ``2024``, ``"2024-25"`` or ``"FY2024-25"``.
"""

from __future__ import annotations

import re

BASE_YEAR = 2024  # FY2024-25, the calibration year of the baseline dataset
_FY = re.compile(r"^(?:FY)?\s*(\d{4})(?:-(\d{2}|\d{4}))?$", re.IGNORECASE)


def parse_fy(value: int | str) -> int:
    """Start year of a fiscal year given as ``2024``, ``"2024-25"`` or ``"FY2024-25"``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a fiscal year like 2026 or '2026-27', got {value!r}")
    if isinstance(value, int):
        return value
    m = _FY.match(str(value).strip())
    if not m:
        raise ValueError(f"expected a fiscal year like 2026 or '2026-27', got {value!r}")
    start = int(m.group(1))
    if m.group(2) is not None:
        end = int(m.group(2))
        if end % 100 != (start + 1) % 100:
            raise ValueError(f"{value!r} is not a fiscal year: the end must follow the start")
    return start


def fy_label(start: int) -> str:
    """``2024 -> "2024-25"``, the label used in every output table."""
    return f"{start}-{(start + 1) % 100:02d}"
