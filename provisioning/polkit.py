"""The polkit rule: the kiosk user may reboot or power off the box and restart its two services, nothing else.

Remote care (reboot, restart the agent or the display) runs as the kiosk user through the agent; without
this rule those need root. ``*-ignore-inhibit`` is left out on purpose: a reboot waits for inhibitors
(an open citizen session takes one).
"""

from __future__ import annotations

import json
from typing import Final

from provisioning.layout import AGENT_UNIT, DISPLAY_UNIT, USER

POWER_ACTIONS: Final = (
    "org.freedesktop.login1.reboot",
    "org.freedesktop.login1.reboot-multiple-sessions",
    "org.freedesktop.login1.power-off",
    "org.freedesktop.login1.power-off-multiple-sessions",
)
MANAGE_UNITS: Final = "org.freedesktop.systemd1.manage-units"
RESTART_VERBS: Final = ("restart",)


def polkit_rule(kind: str) -> str:
    """The JavaScript rule for ``/etc/polkit-1/rules.d/`` (polkit 122 in Debian 12 reads these)."""
    units = [DISPLAY_UNIT, AGENT_UNIT] if kind == "kiosk" else [DISPLAY_UNIT]
    return (
        "// Written by kiosk provision (docs/provisioning.md); changes are overwritten by the next run.\n"
        "polkit.addRule(function (action, subject) {\n"
        f"    if (subject.user !== {json.dumps(USER)}) {{\n"
        "        return polkit.Result.NOT_HANDLED;\n"
        "    }\n"
        f"    var power = {json.dumps(list(POWER_ACTIONS))};\n"
        "    if (power.indexOf(action.id) >= 0) {\n"
        "        return polkit.Result.YES;\n"
        "    }\n"
        f"    var units = {json.dumps(units)};\n"
        f"    var verbs = {json.dumps(list(RESTART_VERBS))};\n"
        f"    if (action.id === {json.dumps(MANAGE_UNITS)} &&\n"
        '        units.indexOf(action.lookup("unit")) >= 0 && verbs.indexOf(action.lookup("verb")) >= 0) {\n'
        "        return polkit.Result.YES;\n"
        "    }\n"
        "    return polkit.Result.NOT_HANDLED;\n"
        "});\n"
    )
