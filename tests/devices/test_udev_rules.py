"""udev rules rendered from the known-readers table, checked as text."""

from __future__ import annotations

from devices.drivers.known_readers import CAP_CCID, CAP_KEYBOARD, KNOWN_READERS, KnownReader, ReaderKind
from devices.drivers.udev_rules import render_rules, rule_for


def _rule_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_every_row_gets_one_tagging_rule_after_its_comment():
    lines = render_rules().splitlines()

    for row in KNOWN_READERS:
        comment = f"# {row.name} [{row.usb_id}]"
        assert comment in lines
        rule = lines[lines.index(comment) + 1]
        assert f'ENV{{ID_KIOSK_READER}}="{row.kind.value}"' in rule
        if row.vendor is not None:
            assert f'ATTRS{{idVendor}}=="{row.vendor:04x}"' in rule
        if row.product is not None:
            assert f'ATTRS{{idProduct}}=="{row.product:04x}"' in rule
        else:
            assert "idProduct" not in rule


def test_serial_bridge_rule_exactly():
    row = KnownReader(ReaderKind.IDCARD_SERIAL, 0x1A86, 0x7523, "CH340", needs_probe=True)

    assert rule_for(row) == (
        "# CH340 [1a86:7523]\n"
        'SUBSYSTEM=="tty", SUBSYSTEMS=="usb", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", '
        'ENV{ID_KIOSK_READER}="idcard_serial", ENV{ID_KIOSK_PROBE}="sam_status", GROUP="dialout", MODE="0660"\n'
    )


def test_dedicated_id_reader_is_not_tagged_for_a_probe():
    row = KnownReader(ReaderKind.IDCARD_SERIAL, 0x1234, 0x5678, "Dedicated reader")

    assert "ID_KIOSK_PROBE" not in rule_for(row)


def test_scanner_rule_grants_the_input_group_on_the_keyboard_event_node():
    row = KnownReader(ReaderKind.SCANNER_HID, 0x0C2E, None, "Honeywell", requires=frozenset({CAP_KEYBOARD}))

    (rule,) = _rule_lines(rule_for(row))

    assert rule == (
        'SUBSYSTEM=="input", KERNEL=="event*", ENV{ID_INPUT_KEYBOARD}=="1", SUBSYSTEMS=="usb", '
        'ATTRS{idVendor}=="0c2e", ENV{ID_KIOSK_READER}="scanner_hid", GROUP="input", MODE="0660"'
    )


def test_ccid_capability_rule_matches_the_interface_class_and_leaves_permissions_to_pcscd():
    row = KnownReader(ReaderKind.SSC_PCSC, None, None, "Any CCID", requires=frozenset({CAP_CCID}))

    (rule,) = _rule_lines(rule_for(row))

    assert rule == (
        'SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_interface", ATTR{bInterfaceClass}=="0b", ENV{ID_KIOSK_READER}="ssc_pcsc"'
    )


def test_id_readers_get_stable_kiosk_symlinks_by_serial_or_port_path():
    text = render_rules()

    assert 'ENV{ID_SERIAL_SHORT}=="?*", SYMLINK+="kiosk/idcard-$env{ID_SERIAL_SHORT}"' in text
    assert 'ENV{ID_SERIAL_SHORT}!="?*", SYMLINK+="kiosk/idcard-$env{ID_PATH_TAG}"' in text
    # The symlink rules read the tag, so they must come after every tagging rule.
    last_tag = max(i for i, line in enumerate(text.splitlines()) if 'ENV{ID_KIOSK_READER}="' in line)
    first_link = min(i for i, line in enumerate(text.splitlines()) if "SYMLINK+=" in line)
    assert first_link > last_tag


def test_no_symlink_rules_without_id_readers():
    row = KnownReader(ReaderKind.SCANNER_HID, 0x0C2E, None, "Honeywell", requires=frozenset({CAP_KEYBOARD}))

    assert "SYMLINK" not in render_rules([row])


def test_groups_and_mode_can_be_overridden():
    text = render_rules(serial_group="kiosk", input_group="kiosk", mode="0640")

    assert 'GROUP="dialout"' not in text
    assert 'GROUP="input"' not in text
    assert 'GROUP="kiosk", MODE="0640"' in text


def test_rendering_is_deterministic_and_says_it_is_generated():
    text = render_rules()

    assert text == render_rules()
    assert text.startswith("# 70-kiosk-readers.rules: generated from devices/drivers/known_readers.py")
    assert len(_rule_lines(text)) == len(KNOWN_READERS) + 2
