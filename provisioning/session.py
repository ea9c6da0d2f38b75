"""The display session: Chromium in kiosk mode inside ``cage``, a Wayland kiosk compositor.

``cage`` runs one application full screen and has no idle timeout, so nothing blanks the panel;
when Chromium exits cage exits too and systemd starts both again (``Restart=always``). The screen
URL holds the screen key, so it lives in ``/etc/kiosk/display.env`` (root, 0600: systemd reads it
before dropping to the kiosk user) rather than in the world-readable unit file.
"""

from __future__ import annotations

from typing import Final

from provisioning.layout import DEVTOOLS_PORT, HOME

CAGE: Final = "/usr/bin/cage"
CHROMIUM: Final = "/usr/bin/chromium"
URL_VARIABLE: Final = "KIOSK_SCREEN_URL"

# docs/deployment.md, "Displays": the kiosk flags, then what an unattended box needs besides.
CHROMIUM_FLAGS: Final = (
    "--kiosk",
    "--noerrdialogs",
    "--disable-session-crashed-bubble",
    "--autoplay-policy=no-user-gesture-required",
    "--ozone-platform=wayland",
    "--no-first-run",
    "--disable-features=Translate",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--password-store=basic",
    f"--user-data-dir={HOME}/chromium",
    f"--remote-debugging-port={DEVTOOLS_PORT}",
    "--remote-debugging-address=127.0.0.1",
)


def exec_start(cage: str = CAGE, chromium: str = CHROMIUM) -> str:
    """The unit's ``ExecStart=``: cage (``-d``: no client-side decorations) running Chromium on the screen URL.

    ``${VAR}`` passes the variable as one word, whatever it holds.
    """
    return " ".join((cage, "-d", "--", chromium, *CHROMIUM_FLAGS, "${" + URL_VARIABLE + "}"))


def display_env(screen_url: str) -> str:
    """The environment file of ``kiosk-display.service``: the screen URL, quoted for systemd."""
    quoted = screen_url.replace("\\", "\\\\").replace('"', '\\"')
    return f'# written by kiosk provision; holds the screen key: keep it root-only\n{URL_VARIABLE}="{quoted}"\n'


def read_display_env(text: str) -> str | None:
    """The screen URL from an environment file written by ``display_env`` (``None`` when it has none)."""
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == URL_VARIABLE:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            return value or None
    return None
