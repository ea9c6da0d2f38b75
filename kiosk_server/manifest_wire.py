"""How a group's manifest goes on the wire: the ``manifest`` event's data, built once per version.

A province's manifests are about 130 KiB of JSON each, and each is sent to thousands of screens:
at every change to its group's room, and one by one in answer to hellos and heartbeats (a
reconnect storm after a restart sends it to every screen). Above ``DEFLATE_FROM`` bytes the
manifest therefore travels deflated (zlib's format, about 7 % of its size), compressed once per version
and kept here, as a binary attachment: python-socketio sends bytes as they are, never through
JSON, so a hello answer costs no encoding at all. The JSON part keeps ``stream``, ``seq``,
``version`` and ``group``, so a client drops a duplicate without inflating it. Small manifests
(a county hall's, every test's) stay plain JSON, written around the manifest's canonical text
rather than encoded again at every emit (kiosk_server/socketio_packets.py). The form is in
docs/protocol.md, §3 "Wire form".
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from isal import isal_zlib

from kiosk_server.manifests import Snapshot
from kiosk_server.socketio_packets import EncodedObject

if TYPE_CHECKING:
    from content.signage.manifest import Manifest

# Bytes of the manifest's JSON from which it is deflated. Below it the attachment saves little
# (deflate still needs a frame, and the browser an asynchronous inflate) and the payload stays readable.
DEFLATE_FROM: Final = 8 * 1024
# Compressed by ISA-L (python-isal), whose output is a standard zlib stream: on the province's
# manifests (median 146 KiB) its level 2 gives 10.7 KiB in 0.13 ms where zlib's level 6 gives 8.5 KiB
# in 1.6 ms (level 1: 11.9 KiB, 0.6 ms). A change shown everywhere deflates every group's manifest,
# and at zlib's level 6 that was half the server's CPU in the fan-out benchmark (docs/benchmarks.md).
LEVEL: Final = 2
DEFLATE: Final = "deflate"  # the ``encoding`` of a deflated manifest event
# The cache holds every current version and one older per group (a beat answered from an older
# snapshot while the publisher already emits the newer one), never fewer entries than this.
MIN_ENTRIES: Final = 256


def manifest_message(snap: Snapshot, group: str, *, deflate_ok: bool = True) -> dict[str, Any]:
    """The data of the ``manifest`` event carrying ``group``'s manifest in ``snap`` (docs/protocol.md §3).

    ``deflate_ok=False`` for a connection whose hello did not list ``deflate`` in ``accept`` (a player
    from before the compressed form, still running until its page reloads): it always gets plain JSON.
    """
    manifest = snap.manifests[group]
    if not deflate_ok:
        return plain_message(snap, group)
    deflated = _deflated.get(manifest, len(snap.manifests))
    if deflated is None:
        return plain_message(snap, group)
    return {
        "stream": "manifest",
        "seq": snap.revision,
        "version": manifest.version,
        "group": group,
        "encoding": DEFLATE,
        "manifest": deflated,
    }


def plain_message(snap: Snapshot, group: str) -> EncodedObject:
    """The plain form of the event's data (``Snapshot.payload``), with its JSON written around the manifest's text."""
    payload = snap.payload(group)
    head = json.dumps({key: value for key, value in payload.items() if key != "manifest"}, separators=(",", ":"))
    return EncodedObject(payload, f'{head[:-1]},"manifest":{snap.manifests[group].canonical_text()}}}')


def deflate(manifest: Manifest) -> bytes | None:
    """The manifest's canonical JSON deflated (zlib), or None when it is small enough to go plain.

    The canonical JSON is the text the version is computed over, so an inflated manifest can be
    checked against its version; the resolver keeps the text it assembled, so it is written once.
    """
    text = manifest.canonical_text().encode("utf-8")
    return isal_zlib.compress(text, LEVEL) if len(text) >= DEFLATE_FROM else None


def decode_message(data: Mapping[str, Any]) -> dict[str, Any]:
    """The plain payload of a ``manifest`` event in either wire form, for clients written in Python.

    Raises ValueError for an encoding this module does not write.
    """
    encoding = data.get("encoding")
    if encoding is None:
        return dict(data)
    if encoding != DEFLATE:
        raise ValueError(f"manifest event with unknown encoding {encoding!r}")
    plain = {key: value for key, value in data.items() if key != "encoding"}
    plain["manifest"] = json.loads(zlib.decompress(data["manifest"]).decode("utf-8"))
    return plain


class _DeflatedVersions:
    """The deflated form (or None: plain) of recent manifest versions, computed once each, bounded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], bytes | None] = OrderedDict()

    def get(self, manifest: Manifest, current_groups: int) -> bytes | None:
        key = (manifest.group, manifest.version)
        # Computed under the lock: the screens asking for a new version in the same instant (a
        # reconnect storm) wait about a millisecond for one compression instead of doing their own.
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            value = self._entries[key] = deflate(manifest)
            limit = max(MIN_ENTRIES, 2 * current_groups)
            while len(self._entries) > limit:
                self._entries.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


# Keyed by group and version, and a version is a hash of the body: entries are right for every
# app in the process (tests build several), so one cache serves them all.
_deflated = _DeflatedVersions()
