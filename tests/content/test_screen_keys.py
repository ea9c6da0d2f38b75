"""Screen keys: unguessable, and safe to type as a command-line argument."""

from __future__ import annotations

from content.org.screens import new_screen_key


def test_screen_keys_never_start_with_a_dash() -> None:
    """A key starting with "-" reads as an option on the technician's command line (kiosk agent-credential)."""
    keys = [new_screen_key() for _ in range(5000)]
    assert not any(key.startswith("-") for key in keys)
    assert len(set(keys)) == len(keys) and all(len(key) == 24 for key in keys)
