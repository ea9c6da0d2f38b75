"""Socket.IO packets carrying JSON written once: the same packet on the wire as python-socketio's own encoding."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from socketio import packet as upstream

from kiosk_server.socketio_packets import EncodedObject, Packet

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)


def encoded(fields: dict[str, Any]) -> EncodedObject:
    return EncodedObject(fields, json.dumps(fields, ensure_ascii=False, separators=(",", ":")))


def decoded(wire: str) -> upstream.Packet:
    return upstream.Packet(encoded_packet=wire)


@given(fields=objects, namespace=st.sampled_from(["/", "/screen", None]))
def test_an_encoded_argument_decodes_as_upstream_encoding_of_the_same_data(
    fields: dict[str, Any], namespace: Any
) -> None:
    ours = Packet(upstream.EVENT, data=["manifest", encoded(fields)], namespace=namespace).encode()
    theirs = upstream.Packet(upstream.EVENT, data=["manifest", dict(fields)], namespace=namespace).encode()
    assert isinstance(ours, str)
    mine, reference = decoded(ours), decoded(theirs)
    assert (mine.packet_type, mine.namespace, mine.id, mine.data) == (
        reference.packet_type,
        reference.namespace,
        reference.id,
        reference.data,
    )


def test_the_text_is_sent_as_it_is_after_the_packet_head() -> None:
    text = '{"stream":"manifest","seq":3,"manifest":{"ticker":"今日招聘会"}}'
    argument = EncodedObject({"stream": "manifest", "seq": 3, "manifest": {"ticker": "今日招聘会"}}, text)
    assert Packet(upstream.EVENT, data=["manifest", argument], namespace="/screen").encode() == (
        '2/screen,["manifest",' + text + "]"
    )
    assert Packet(upstream.EVENT, data=["manifest", argument], namespace="/").encode() == '2["manifest",' + text + "]"


def test_the_mapping_is_not_walked_for_bytes() -> None:
    # Bytes in the mapping would make python-socketio's walk call it binary; the text is what is sent.
    argument = EncodedObject({"blob": b"\x00"}, '{"blob":"AA=="}')
    assert upstream.Packet(upstream.EVENT, data=["manifest", dict(argument)]).packet_type == upstream.BINARY_EVENT
    assert Packet(upstream.EVENT, data=["manifest", argument]).packet_type == upstream.EVENT


def test_anything_else_is_encoded_by_python_socketio() -> None:
    with_bytes = Packet(upstream.EVENT, data=["shot", {"png": b"\x89PNG"}], namespace="/screen")
    assert with_bytes.packet_type == upstream.BINARY_EVENT
    assert (
        with_bytes.encode()
        == upstream.Packet(upstream.EVENT, data=["shot", {"png": b"\x89PNG"}], namespace="/screen").encode()
    )
    acked = Packet(upstream.EVENT, data=["manifest", encoded({"a": 1})], namespace="/screen", id=7).encode()
    assert decoded(acked).id == 7 and decoded(acked).data == ["manifest", {"a": 1}]
    plain = Packet(upstream.EVENT, data=["board", {"seq": 1}], namespace="/screen").encode()
    assert plain == '2/screen,["board",{"seq":1}]'
