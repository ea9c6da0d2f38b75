"""Kiosk-side devices: reader drivers, the device agent and simulators (docs/architecture.md, "Devices")."""

__version__ = "0.1.0"

from devices.drivers.idcard_reader import IdCardReader
from devices.errors import DeviceError
from devices.events import CardRemoved, DocumentKind, IdCardRead, ReaderAttached, ReaderDetached, ReaderFault

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
