"""An independent check of udev rules files, written from man udev(7) ("Rules files"), not from our generator.

systemd 252 (Debian 12) has no ``udevadm verify``; this checks what it would: every line is a
comma-separated list of ``KEY[{attr}] OP "value"``; keys are known; match keys use ``==``/``!=``,
assignment keys ``=``/``+=``/``-=``/``:=``; keys that take an attribute have one and others do not;
values are double-quoted with only ``\\"`` and ``\\\\`` as escapes; a ``MODE`` is octal; ``GOTO``
targets exist as ``LABEL``s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MATCH_ONLY = {
    "ACTION",
    "DEVPATH",
    "KERNEL",
    "KERNELS",
    "SUBSYSTEM",
    "SUBSYSTEMS",
    "DRIVER",
    "DRIVERS",
    "ATTRS",
    "TAGS",
    "TEST",
    "PROGRAM",
    "RESULT",
    "CONST",
}
ASSIGN_ONLY = {"OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS"}
BOTH = {"NAME", "SYMLINK", "ATTR", "SYSCTL", "ENV", "TAG"}
WITH_ATTRIBUTE = {"ATTR", "ATTRS", "SYSCTL", "ENV", "TEST", "CONST", "SECLABEL", "RUN", "IMPORT"}
NEEDS_ATTRIBUTE = {"ATTR", "ATTRS", "SYSCTL", "ENV", "CONST", "SECLABEL", "IMPORT"}
MATCH_OPS = {"==", "!="}
ASSIGN_OPS = {"=", "+=", "-=", ":="}

_PAIR = re.compile(r'\s*([A-Z_]+)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,?)')


@dataclass(frozen=True)
class Pair:
    key: str
    attribute: str | None
    op: str
    value: str


class RuleSyntaxError(ValueError):
    pass


def _pairs(line: str, number: int) -> list[Pair]:
    pairs, pos = [], 0
    while pos < len(line):
        found = _PAIR.match(line, pos)
        if found is None:
            raise RuleSyntaxError(f'line {number}: cannot read a KEY OP "value" at column {pos + 1}: {line[pos:]!r}')
        key, attribute, op, value, comma = found.groups()
        for escape in re.findall(r"\\(.)", value):
            if escape not in {'"', "\\"}:
                raise RuleSyntaxError(f"line {number}: unknown escape \\{escape} in {value!r}")
        pairs.append(Pair(key, attribute, op, value))
        pos = found.end()
        if not comma and pos < len(line):
            raise RuleSyntaxError(f"line {number}: missing comma after {key}")
        if comma and pos >= len(line.rstrip()):
            raise RuleSyntaxError(f"line {number}: trailing comma")
    return pairs


def check_pair(pair: Pair, number: int) -> None:
    where = f"line {number}: {pair.key}"
    if pair.key not in MATCH_ONLY | ASSIGN_ONLY | BOTH:
        raise RuleSyntaxError(f"{where}: unknown key")
    if pair.attribute is not None and pair.key not in WITH_ATTRIBUTE:
        raise RuleSyntaxError(f"{where}: takes no {{attribute}}")
    if pair.attribute is None and pair.key in NEEDS_ATTRIBUTE:
        raise RuleSyntaxError(f"{where}: needs an {{attribute}}")
    if pair.op in MATCH_OPS and pair.key in ASSIGN_ONLY:
        raise RuleSyntaxError(f"{where}: is an assignment key, cannot be matched with {pair.op}")
    if pair.op in ASSIGN_OPS and pair.key in MATCH_ONLY:
        raise RuleSyntaxError(f"{where}: is a match key, cannot be assigned with {pair.op}")
    if pair.key == "MODE" and not re.fullmatch(r"0?[0-7]{3}", pair.value):
        raise RuleSyntaxError(f"{where}: {pair.value!r} is not an octal mode")


def parse_rules(text: str) -> list[list[Pair]]:
    """Every rule of the file as its pairs; raises ``RuleSyntaxError`` naming the line."""
    rules: list[list[Pair]] = []
    labels, gotos = set(), []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending, start = pending + line[:-1], start or number
            continue
        line, at = pending + line, start or number
        pending, start = "", 0
        pairs = _pairs(line, at)
        for pair in pairs:
            check_pair(pair, at)
            if pair.key == "LABEL":
                labels.add(pair.value)
            if pair.key == "GOTO":
                gotos.append(pair.value)
        rules.append(pairs)
    if pending:
        raise RuleSyntaxError("the file ends in a line continuation")
    for target in gotos:
        if target not in labels:
            raise RuleSyntaxError(f"GOTO {target!r} has no LABEL")
    return rules
