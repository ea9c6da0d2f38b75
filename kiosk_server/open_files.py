"""How many files this process may open: the soft limit raised to the hard one at start, and how many screens that holds.

Every connected screen holds a socket, so the open-files limit is the number of screens a process
can serve. Linux starts processes with a soft limit of 1,024 whatever the hard limit allows (systemd
sets the hard one to 524,288 by default); a process may raise its own soft limit up to the hard one,
and only an administrator can raise the hard one (``LimitNOFILE=`` in the systemd unit, ``ulimit -Hn``
as root). ``kiosk serve`` raises the soft limit at start and logs what it got in one line, with a
warning that says what to set when the hard limit holds fewer screens than a process is meant to
(docs/deployment.md, "Limits and capacity of one process").
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass
from typing import Final

log = logging.getLogger(__name__)

# One socket per websocket: measured with /proc/<pid>/fd on kiosk serve and on gunicorn -k gevent
# (docs/deployment.md). gevent's plain pywsgi handler would make it two (kiosk_server/http_server.py).
FILES_PER_SCREEN: Final = 1
# Kept for everything else: up to 30 database connections (pool 10 + overflow 20), the Redis listener
# and publishers, media files and pages being sent, the listening socket, the event loop, logs.
RESERVED_FILES: Final = 200
# A hard limit that holds fewer screens than this gets a warning: a process is sized for 5,000 and more.
WANTED_SCREENS: Final = 10_000
SUGGESTED_LIMIT: Final = 65_536
# Linux refuses a soft limit above /proc/sys/fs/nr_open (1,048,576 by default) even when the hard one says "unlimited".
_UNLIMITED_STANDS_FOR: Final = 1_048_576


@dataclass(frozen=True)
class FileLimit:
    """The open-files limit this process runs with, and the soft limit it started with."""

    limit: int
    started_with: int

    @property
    def screens(self) -> int:
        """How many screens that holds, the reserve set aside."""
        return max(0, (self.limit - RESERVED_FILES) // FILES_PER_SCREEN)


def raise_to_hard_limit() -> FileLimit:
    """Raise the soft RLIMIT_NOFILE to the hard one (as far as the kernel allows); what it is now."""
    started, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if started == resource.RLIM_INFINITY:
        return FileLimit(_UNLIMITED_STANDS_FOR, _UNLIMITED_STANDS_FOR)
    wanted = _UNLIMITED_STANDS_FOR if hard == resource.RLIM_INFINITY else hard
    if started < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError) as err:  # a kernel cap below the hard limit: keep what we had
            log.warning("open files: could not raise the limit from %d to %d (%s)", started, wanted, err)
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return FileLimit(soft, started)


def report(found: FileLimit) -> None:
    """One line with the limit and the screens it holds; a warning saying what to set when that is too few."""
    raised = f", raised from {found.started_with}" if found.started_with < found.limit else ""
    log.info(
        "open files: limit %d%s; enough for about %d screens (%d file per screen, %d kept for the database, "
        "Redis and files)",
        found.limit,
        raised,
        found.screens,
        FILES_PER_SCREEN,
        RESERVED_FILES,
    )
    if found.screens < WANTED_SCREENS:
        log.warning(
            "open files: the hard limit of %d holds only about %d screens on this process; raise it: "
            "LimitNOFILE=%d in the [Service] section of the systemd unit, or `ulimit -n %d` (as root) in the "
            "shell that starts kiosk serve",
            found.limit,
            found.screens,
            SUGGESTED_LIMIT,
            SUGGESTED_LIMIT,
        )
