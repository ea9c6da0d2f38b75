"""The doctor's printer checks: one per ``[[printers]]`` table of the agent's file, named ``printer-<role>``.

A network receipt printer must accept a TCP connection on its port within 2 s; a USB one must have
its ``usblp`` node, in a group the agent's user belongs to, with group write; an A4 printer's CUPS
queue must exist and be enabled (the agent's own ``lpstat`` reading). Each reason is English, with
the Chinese sentence in ``data.reason_zh`` for the screen a hall's technician reads.
"""

from __future__ import annotations

import grp
import os
import pwd
import socket
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from devices.agent.printer_config import PrinterConfig, PrinterConfigError, parse_printers
from devices.drivers.cups_printer import CupsPrinter
from devices.drivers.escpos_printer import SYSFS_USBMISC, find_usblp
from devices.drivers.printer_states import PrinterKind, PrinterRole, PrinterState
from provisioning.checks import FAIL, OK, SKIPPED, Check
from provisioning.layout import AGENT_CONFIG, LP_GROUP, USER

CONNECT_TIMEOUT: Final = 2.0  # the agent's own limit: no answer within 2 s is offline
ROLE_ZH: Final = {PrinterRole.SLIP: "小票打印机", PrinterRole.A4: "A4 打印机"}


def _check(role: PrinterRole, status: str, reason: str, zh: str, data: dict[str, Any]) -> Check:
    return Check(f"printer-{role.value}", status, reason, {**data, "reason_zh": zh})


def configured_printers(root: Path) -> tuple[PrinterConfig, ...] | str:
    """The printers of the box's agent.toml, or why they cannot be read."""
    try:
        data = tomllib.loads((root / AGENT_CONFIG.lstrip("/")).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        return f"cannot read {AGENT_CONFIG}: {err}"
    try:
        return parse_printers(data.get("printers", []))
    except PrinterConfigError as err:
        return f"{AGENT_CONFIG}: {err}"


def check_network(printer: PrinterConfig, *, timeout: float = CONNECT_TIMEOUT) -> Check:
    role, where = printer.role, printer.address
    data: dict[str, Any] = {"kind": printer.kind.value, "address": where}
    try:
        with socket.create_connection((printer.host.strip("[]"), printer.port), timeout=timeout):
            pass
    except TimeoutError:
        problem, zh = f"no answer within {timeout:g} s", "连接超时"
    except OSError as err:
        problem, zh = err.strerror or str(err), "无法连接"
    else:
        return _check(role, OK, f"{where} accepts connections", f"{ROLE_ZH[role]} {where} 可以连接", data)
    return _check(
        role,
        FAIL,
        f"cannot connect to {where}: {problem} (is it on, cabled, at this address?)",
        f"{ROLE_ZH[role]} {where} {zh}：请检查电源、网线和地址",
        data,
    )


def check_usb(
    printer: PrinterConfig,
    *,
    live: bool,
    sysfs: Path = SYSFS_USBMISC,
    dev: Path = Path("/dev/usb"),
    member: Callable[[str, int], bool] | None = None,
) -> Check:
    """``member(user, gid)``: whether the agent's user is in that group (the system's group database by default)."""
    role = printer.role
    usb_id = f"{printer.usb_vendor:04x}:{printer.usb_product:04x}"
    data: dict[str, Any] = {"kind": printer.kind.value, "usb": usb_id}
    if not live:
        return _check(
            role, SKIPPED, "--root: the USB devices are this machine's", "--root：无法检查本机 USB 设备", data
        )
    found = find_usblp(printer.usb_vendor, printer.usb_product, sysfs)
    if found is None:
        return _check(
            role,
            FAIL,
            f"USB printer {usb_id} not found: no /dev/usb/lp* node for it (plugged in, switched on? lsusb)",
            f"未找到 USB {ROLE_ZH[role]} {usb_id}：请检查连线和电源",
            data,
        )
    node = dev / found.name
    data["node"] = str(node)
    try:
        info = node.stat()
    except OSError as err:
        return _check(role, FAIL, f"{node}: {err.strerror}", f"{ROLE_ZH[role]}设备 {node} 不可用", data)
    group = _group_name(info.st_gid)
    data.update(group=group, mode=f"{stat.S_IMODE(info.st_mode):04o}")
    in_group = (member or _is_member)(USER, info.st_gid)
    if info.st_mode & stat.S_IWGRP and in_group:
        return _check(role, OK, f"{node} ({usb_id}) is writable by group {group}", f"{ROLE_ZH[role]} {node} 可用", data)
    why = f"not group-writable (mode {data['mode']})" if not info.st_mode & stat.S_IWGRP else f"{USER} is not in it"
    return _check(
        role,
        FAIL,
        f"{node} is group {group}, {why}: the agent cannot print (kiosk provision sets up group {LP_GROUP})",
        f"{ROLE_ZH[role]} {node} 无写入权限：请重新运行 kiosk provision",
        data,
    )


def check_cups(printer: PrinterConfig, *, cups: Callable[[str], CupsPrinter] = CupsPrinter) -> Check:
    role, queue = printer.role, printer.queue
    report = cups(queue).check()  # lpstat -p QUEUE -a QUEUE, as the agent reads it
    data: dict[str, Any] = {"kind": printer.kind.value, "queue": queue, "state": report.state.value}
    if report.state is PrinterState.READY:
        return _check(
            role, OK, f"CUPS queue {queue} is enabled and accepts jobs", f"{ROLE_ZH[role]}队列 {queue} 正常", data
        )
    zh = "已暂停" if report.state is PrinterState.PAUSED else "不可用"
    return _check(role, FAIL, f"CUPS queue {queue}: {report.message}", f"{ROLE_ZH[role]}队列 {queue} {zh}", data)


def check_printers(root: Path, kind: str | None, *, live: bool) -> list[Check]:
    """One check per configured printer (none on a wall or a box without printers)."""
    if kind == "wall":
        return []
    printers = configured_printers(root)
    if isinstance(printers, str):
        return [Check("printers", FAIL, printers, {"reason_zh": "打印机配置无法读取"})]
    found = []
    for printer in printers:
        if printer.kind is PrinterKind.ESCPOS_NETWORK:
            found.append(check_network(printer))
        elif printer.kind is PrinterKind.ESCPOS_USB:
            found.append(check_usb(printer, live=live))
        else:
            found.append(check_cups(printer))
    return found


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _is_member(user: str, gid: int) -> bool:
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        return False
    return gid == account.pw_gid or gid in os.getgrouplist(user, account.pw_gid)
