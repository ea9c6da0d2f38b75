"""The table of supported readers: matching rules, row validation, and the doc kept in step with it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from devices.drivers.known_readers import (
    CAP_CCID,
    CAP_KEYBOARD,
    KNOWN_READERS,
    KnownReader,
    ReaderKind,
    markdown_table,
    match,
    rows_of_kind,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "devices.md"

BRIDGES = [(0x1A86, 0x7523), (0x10C4, 0xEA60), (0x067B, 0x2303), (0x0403, 0x6001)]


@pytest.mark.parametrize(("vendor", "product"), BRIDGES)
def test_generic_serial_bridge_matches_as_an_id_reader_that_needs_a_sam_probe(vendor, product):
    row = match(vendor, product, "tty")

    assert row is not None
    assert row.kind is ReaderKind.IDCARD_SERIAL
    assert row.needs_probe


def test_bridge_id_on_an_input_node_is_not_an_id_reader():
    assert match(0x1A86, 0x7523, "input", {CAP_KEYBOARD}) is None


@pytest.mark.parametrize("vendor", [0x0C2E, 0x05E0, 0x1EAB, 0x05F9])
def test_scanner_vendor_row_matches_any_product_that_types(vendor):
    row = match(vendor, 0x1234, "input", {CAP_KEYBOARD})

    assert row is not None
    assert row.kind is ReaderKind.SCANNER_HID
    assert row.product is None


def test_scanner_node_without_keyboard_capability_does_not_match():
    # The consumer-control or HID-POS sibling node of the same scanner.
    assert match(0x0C2E, 0x1234, "input", set()) is None


def test_any_vendor_with_the_ccid_interface_class_is_a_pcsc_reader():
    row = match(0xBEEF, 0x0001, "usb", {CAP_CCID})

    assert row is not None
    assert row.kind is ReaderKind.SSC_PCSC
    assert row.vendor is None


def test_named_ccid_vendor_wins_over_the_capability_row():
    row = match(0x072F, 0x2200, "usb", {CAP_CCID})

    assert row is not None
    assert row.vendor == 0x072F


def test_ccid_vendor_without_the_capability_does_not_match():
    assert match(0x072F, 0x2200, "usb", set()) is None


def test_exact_product_row_wins_over_vendor_wide_row():
    wide = KnownReader(ReaderKind.SCANNER_HID, 0x0C2E, None, "wide", requires=frozenset({CAP_KEYBOARD}))
    exact = KnownReader(ReaderKind.SCANNER_HID, 0x0C2E, 0x0B61, "exact", requires=frozenset({CAP_KEYBOARD}))

    assert match(0x0C2E, 0x0B61, "input", {CAP_KEYBOARD}, readers=[wide, exact]) is exact
    assert match(0x0C2E, 0x0001, "input", {CAP_KEYBOARD}, readers=[wide, exact]) is wide


def test_unknown_device_matches_nothing():
    assert match(0x046D, 0xC52B, "input", {CAP_KEYBOARD}) is None
    assert match(0x046D, 0xC52B, "tty") is None


def test_rows_are_unique_per_kind_and_id():
    keys = [(row.kind, row.vendor, row.product) for row in KNOWN_READERS]

    assert len(keys) == len(set(keys))


def test_every_kind_has_rows():
    assert all(rows_of_kind(kind) for kind in ReaderKind)


def test_rows_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        KNOWN_READERS[0].vendor = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"vendor": None, "product": 0x1234},  # product without vendor
        {"vendor": None, "product": None},  # wildcard without a capability
        {"vendor": 0x1_0000, "product": None},  # not a 16-bit id
        {"vendor": 0x1234, "product": -1},
    ],
)
def test_invalid_rows_are_rejected(kwargs):
    with pytest.raises(ValueError):
        KnownReader(ReaderKind.IDCARD_SERIAL, name="bad", **kwargs)


def test_usb_id_renders_wildcards():
    assert KNOWN_READERS[0].usb_id == "1a86:7523"
    assert rows_of_kind(ReaderKind.SCANNER_HID)[0].usb_id.endswith(":*")


def test_docs_list_every_row_of_the_table():
    doc = DOC.read_text(encoding="utf-8")

    assert markdown_table() in doc, (
        "docs/devices.md is out of date: paste devices.drivers.known_readers.markdown_table()"
    )
    for row in KNOWN_READERS:
        assert f"`{row.usb_id}` | {row.name} |" in doc
