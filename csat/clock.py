"""The room's clock: the time zone every time shown to a trainer is in.

Results are stored in UTC; the live view, the report and the CSV files show them in the
trainer's time zone, said once where they are shown. That zone is ``$CSAT_TIMEZONE`` when set
(an IANA name such as ``Asia/Shanghai``), else this computer's.

>>> import os; os.environ["CSAT_TIMEZONE"] = "Asia/Shanghai"
>>> label()
'Asia/Shanghai (UTC+08:00)'
>>> del os.environ["CSAT_TIMEZONE"]
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_VAR = "CSAT_TIMEZONE"


def zone() -> tzinfo:
    """The trainer's time zone: ``$CSAT_TIMEZONE``, else this computer's local zone."""
    name = os.environ.get(ENV_VAR, "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{ENV_VAR}: expected a time zone name such as 'Asia/Shanghai', got {name!r}"
            ) from None
    return datetime.now().astimezone().tzinfo


def label(moment: datetime | None = None) -> str:
    """The zone as a reader needs it once: its name and its offset from UTC."""
    tz = zone()
    now = (moment or datetime.now(tz)).astimezone(tz)
    offset = now.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = getattr(tz, "key", None) or now.tzname() or ""
    return f"{name} ({offset})" if name and name != offset else offset
