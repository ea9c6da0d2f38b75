"""Kiosk-side device drivers: readers turn hardware into frozen-dataclass events (DESIGN §6)."""

__version__ = "0.1.0"

from devices.errors import DeviceError
from devices.events import CardRemoved, DocumentKind, IdCardRead, ReaderAttached, ReaderDetached, ReaderFault
from devices.idcard_reader import IdCardReader

__all__ = [
    "CardRemoved",
    "DeviceError",
    "DocumentKind",
    "IdCardRead",
    "IdCardReader",
    "ReaderAttached",
    "ReaderDetached",
    "ReaderFault",
]
