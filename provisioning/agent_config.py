"""``/etc/kiosk/agent.toml``: written from the enrolment answer, read back to tell an enrolled box.

The format is the agent's own (docs/devices.md, "Agent configuration"); what is written is checked
with the agent's parser before it is installed, so provisioning can never leave a file the agent refuses.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from devices.agent.config import AgentConfigError, parse_agent_config
from provisioning.errors import ProvisioningError
from provisioning.layout import AGENT_CONFIG
from provisioning.printers import Printers, with_block


@dataclass(frozen=True)
class AgentIdentity:
    """The part of agent.toml that enrolment supplies; the credential stays out of ``repr``."""

    server_url: str
    key: str
    credential: str = field(repr=False)


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes), and never breaks out of its quotes.
    return json.dumps(value, ensure_ascii=False)


def render_agent_config(identity: AgentIdentity) -> str:
    """The file's text; raises ``ProvisioningError`` if the agent would refuse it."""
    text = (
        "# Written by kiosk provision at enrolment (docs/devices.md, 'Agent configuration').\n"
        "# Holds the agent credential: mode 0600, owned by the kiosk user. Add [agent] or [[readers]] below.\n"
        "[server]\n"
        f"url = {_toml_string(identity.server_url)}\n"
        "\n"
        "[device]\n"
        f"key = {_toml_string(identity.key)}\n"
        f"credential = {_toml_string(identity.credential)}\n"
    )
    try:
        parse_agent_config(tomllib.loads(text))
    except AgentConfigError as err:
        raise ProvisioningError(f"the enrolment answer makes an agent configuration the agent refuses: {err}") from err
    return text


def with_printers(content: bytes, printers: Printers) -> bytes:
    """``content`` with provisioning's ``[[printers]]`` block for ``printers``; refused if the agent would refuse it.

    Tables the technician wrote by hand stay; one for a role that an option now sets makes two
    printers for one role, which the agent refuses, so the message says which to remove.
    """
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProvisioningError(f"{AGENT_CONFIG} is not UTF-8: {err}") from err
    changed = with_block(text, printers)
    if changed == text:
        return content
    try:
        parse_agent_config(tomllib.loads(changed))
    except tomllib.TOMLDecodeError as err:
        raise ProvisioningError(f"{AGENT_CONFIG} is not TOML, so no printers can be added to it: {err}") from err
    except AgentConfigError as err:
        raise ProvisioningError(
            f"{AGENT_CONFIG} with the printers of this run is refused by the agent ({err}): "
            "remove the [[printers]] tables written by hand, kiosk provision writes them now"
        ) from err
    return changed.encode()


def read_identity(path: Path) -> AgentIdentity | None:
    """The server, key and credential of an existing file, or ``None`` when it lacks any of them."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _identity(text)


def _identity(text: str) -> AgentIdentity | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    server = data.get("server")
    device = data.get("device")
    if not isinstance(server, dict) or not isinstance(device, dict):
        return None
    url, key, credential = server.get("url"), device.get("key"), device.get("credential")
    if not all(isinstance(value, str) and value for value in (url, key, credential)):
        return None
    return AgentIdentity(str(url), str(key), str(credential))


def identity_of(content: bytes) -> AgentIdentity | None:
    """``read_identity`` for bytes already read."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return _identity(text)
