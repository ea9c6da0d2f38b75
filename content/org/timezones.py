"""Time zones of halls: validation and the shared default."""

from __future__ import annotations

from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content.errors import ValidationError

DEFAULT_TIMEZONE: Final = "Asia/Shanghai"


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def validate_timezone(value: object, field: str = "timezone") -> ZoneInfo:
    """Return the ZoneInfo named by ``value`` or raise ValidationError naming ``field``."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.single(field, f"a time zone name such as {DEFAULT_TIMEZONE!r} is required")
    name = value.strip()
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        # ValueError covers malformed keys such as "../etc" that zoneinfo refuses outright.
        raise ValidationError.single(
            field, f"unknown time zone {name!r}; use an IANA name such as {DEFAULT_TIMEZONE!r} or 'Asia/Urumqi'"
        ) from err


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for a name already validated on write (cached; raises ValidationError if unknown)."""
    return validate_timezone(name)
