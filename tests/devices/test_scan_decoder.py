"""Keyboard-wedge decoding from recorded evdev sequences, classification, and fuzzing of the decoder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.drivers import keymap
from devices.drivers.keymap import (
    EV_KEY,
    EV_SYN,
    KEY_A,
    KEY_B,
    KEY_ENTER,
    KEY_KPENTER,
    KEY_LEFTSHIFT,
    KEY_RIGHTSHIFT,
    KEY_TAB,
)
from devices.drivers.scan_classify import ClassifyRules, classify, gtin_check_ok
from devices.drivers.scan_decoder import DecoderConfig, IncompleteScan, Scan, ScanDecoder, ScanError, ScanInputError
from devices.drivers.scan_events import BarcodeScanned, ECardScanned, MagstripeSwiped, UnrecognisedScan
from devices.simulators.scan_replay import (
    RecordedEvent,
    RecordingError,
    dump_recording,
    load_recording,
    parse_recording,
    record_from_text,
    replay,
)

RECORDINGS = Path(__file__).parent / "recordings"
TOKEN = "HRSS-ESSC:c7gwq2U4TYewQ4D9k1aN1NWyckMPtzChuaPILGtxBC8BAgNleHBpcmVzLTE3NjM3NzUwMDA"
SHIFTED = "Ab-_=+[]{};:'\",.<>/?\\|`~!@#$%^&*() Zq"


def texts(results: list) -> list[str]:
    assert all(isinstance(r, Scan) for r in results), results
    return [r.text for r in results]


def keys(*codes: int, t0: float = 0.0, step: float = 0.004, value: int = 1) -> list[tuple[float, int, int, int]]:
    return [(t0 + i * step, EV_KEY, code, value) for i, code in enumerate(codes)]


def feed_all(decoder: ScanDecoder, events) -> list:
    out: list = []
    for event in events:
        out += decoder.feed(*event)
    return out


# --- recorded sequences --------------------------------------------------------------------------


def test_recorded_ecard_token_decodes_exactly():
    assert texts(replay(load_recording(RECORDINGS / "ecard_token.txt"))) == [TOKEN]


def test_recorded_ean13_decodes_exactly():
    assert texts(replay(load_recording(RECORDINGS / "ean13.txt"))) == ["6901234567892"]


def test_recorded_shifted_punctuation_decodes_exactly():
    assert texts(replay(load_recording(RECORDINGS / "shifted_punctuation.txt"))) == [SHIFTED]


def test_recorded_magstripe_track2_decodes_exactly():
    assert texts(replay(load_recording(RECORDINGS / "magstripe_track2.txt"))) == [
        ";6222021234567890123=49121011234567890?"
    ]


def test_gap_mid_scan_is_an_incomplete_scan_and_the_next_scan_decodes_cleanly():
    results = replay(load_recording(RECORDINGS / "gap_then_barcode.txt"))
    assert len(results) == 2
    first, second = results
    assert isinstance(first, IncompleteScan)
    assert (first.reason, first.length) == ("gap", 12)
    assert "12 characters" in first.message
    assert isinstance(second, Scan) and second.text == "6901234567892"


def test_gap_is_reported_by_an_idle_poll_without_waiting_for_the_next_key():
    decoder = ScanDecoder(DecoderConfig(inter_key_timeout_s=0.08))
    assert feed_all(decoder, keys(KEY_A, KEY_B)) == []
    assert decoder.poll(0.004 + 0.079) == []
    (result,) = decoder.poll(0.004 + 0.081)
    assert isinstance(result, IncompleteScan) and result.length == 2
    assert not decoder.in_progress


def test_without_required_terminator_a_gap_ends_the_scan_normally():
    decoder = ScanDecoder(DecoderConfig(require_terminator=False))
    feed_all(decoder, keys(KEY_A, KEY_B))
    assert texts(decoder.poll(1.0)) == ["ab"]


# --- key handling --------------------------------------------------------------------------------


def test_releases_and_auto_repeats_are_ignored():
    decoder = ScanDecoder()
    events = [
        (0.000, EV_KEY, KEY_A, 1),
        (0.001, EV_KEY, KEY_A, 2),
        (0.002, EV_KEY, KEY_A, 2),
        (0.003, EV_KEY, KEY_A, 0),
        (0.004, EV_KEY, KEY_B, 0),
        (0.005, EV_SYN, 0, 0),
        (0.006, EV_KEY, KEY_B, 1),
        (0.007, EV_KEY, KEY_ENTER, 2),
        (0.008, EV_KEY, KEY_ENTER, 0),
    ]
    assert feed_all(decoder, events) == []
    assert texts(decoder.feed(0.009, EV_KEY, KEY_ENTER, 1)) == ["ab"]


def test_both_shift_keys_are_tracked_through_press_and_release():
    decoder = ScanDecoder()
    events = [
        (0.000, EV_KEY, KEY_LEFTSHIFT, 1),
        (0.001, EV_KEY, KEY_RIGHTSHIFT, 1),
        (0.002, EV_KEY, KEY_A, 1),
        (0.003, EV_KEY, KEY_LEFTSHIFT, 0),
        (0.004, EV_KEY, KEY_A, 1),  # right shift still down
        (0.005, EV_KEY, KEY_RIGHTSHIFT, 2),  # repeat of a modifier changes nothing
        (0.006, EV_KEY, KEY_RIGHTSHIFT, 0),
        (0.007, EV_KEY, KEY_A, 1),
        (0.008, EV_KEY, KEY_KPENTER, 1),
    ]
    assert texts(feed_all(decoder, events)) == ["AAa"]


def test_unknown_codes_are_ignored_and_counted(caplog):
    decoder = ScanDecoder()
    events = keys(KEY_A, 183, KEY_TAB, KEY_B, KEY_ENTER)  # F13 and Tab are not in the keymap
    assert texts(feed_all(decoder, events)) == ["ab"]
    assert decoder.unknown_key_count == 2
    assert "2 key codes outside the keymap" in caplog.text


def test_tab_can_be_configured_as_a_terminator():
    decoder = ScanDecoder(DecoderConfig(terminators=frozenset({KEY_TAB})))
    assert texts(feed_all(decoder, keys(KEY_A, KEY_ENTER, KEY_B, KEY_TAB))) == ["ab"]


def test_lone_enter_produces_no_scan():
    assert feed_all(ScanDecoder(), keys(KEY_ENTER, KEY_ENTER)) == []


def test_scan_over_the_length_cap_is_dropped_as_too_long_and_the_next_one_decodes():
    decoder = ScanDecoder(DecoderConfig(max_length=4))
    results = feed_all(decoder, keys(*[KEY_A] * 6, KEY_ENTER, KEY_B, KEY_ENTER))
    assert isinstance(results[0], IncompleteScan) and results[0].reason == "too_long"
    assert isinstance(results[1], Scan) and results[1].text == "b"


def test_scan_exactly_at_the_cap_is_complete():
    decoder = ScanDecoder(DecoderConfig(max_length=4))
    assert texts(feed_all(decoder, keys(*[KEY_A] * 4, KEY_ENTER))) == ["aaaa"]


def test_non_finite_timestamp_is_rejected_with_our_error():
    with pytest.raises(ScanInputError, match="finite"):
        ScanDecoder().feed(float("nan"), EV_KEY, KEY_A, 1)


def test_bad_config_is_rejected():
    with pytest.raises(ScanError, match="inter_key_timeout_s"):
        DecoderConfig(inter_key_timeout_s=0)
    with pytest.raises(ScanError, match="max_length"):
        DecoderConfig(max_length=0)


def test_scan_repr_hides_the_text():
    scan = Scan(TOKEN, 0.0, 1.0)
    assert TOKEN not in repr(scan) and TOKEN not in str(scan)
    assert f"length={len(TOKEN)}" in repr(scan)


def test_keymap_constants_match_evdev():
    ecodes = pytest.importorskip("evdev.ecodes", reason="python-evdev not installed")
    names = [n for n in dir(keymap) if n.startswith(("KEY_", "EV_", "SYN_", "MSC_")) and n.isupper()]
    names = [n for n in names if not n.endswith("_VALUE")]  # ours: the kernel has no names for these
    assert len(names) > 60
    mismatched = {
        n: (getattr(keymap, n), getattr(ecodes, n)) for n in names if getattr(keymap, n) != getattr(ecodes, n)
    }
    assert mismatched == {}


# --- the recording format ------------------------------------------------------------------------


def test_recording_round_trips_through_the_text_format():
    events = record_from_text("Ab1", start=5.0)
    assert parse_recording(dump_recording(events, "header\nline two")) == events


def test_recording_with_a_bad_line_names_the_line():
    with pytest.raises(RecordingError, match="line 3"):
        parse_recording("# c\n0.0 1 30 1\n0.1 1 thirty 1\n")
    with pytest.raises(RecordingError, match="4 fields"):
        parse_recording("0.0 1 30\n")


def test_record_from_text_refuses_characters_without_a_key():
    with pytest.raises(ValueError, match=r"U\+4E2D"):
        record_from_text("中")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted(keymap.US_CHAR_TO_KEY)), min_size=1, max_size=200))
def test_any_typable_text_decodes_back_exactly(text):
    assert texts(replay(record_from_text(text, start=1000.0))) == [text]


# --- classification ------------------------------------------------------------------------------


def test_ecard_token_is_classified_by_prefix_and_repr_hides_it():
    event = classify("scanner-1", TOKEN)
    assert event == ECardScanned("scanner-1", TOKEN)
    assert TOKEN not in repr(event) and "c7gwq2U4" not in repr(event)


def test_ecard_prefix_is_configurable():
    rules = ClassifyRules(ecard_prefix="ESSC-DEMO/")
    assert isinstance(classify("s", "ESSC-DEMO/" + "A" * 20, rules), ECardScanned)
    assert not isinstance(classify("s", TOKEN, rules), ECardScanned)


def test_ecard_prefix_with_a_bad_body_is_unrecognised_without_quoting_it():
    event = classify("s", "HRSS-ESSC:not base64 at all!!")
    assert isinstance(event, UnrecognisedScan) and "base64url" in event.hint
    short = classify("s", "HRSS-ESSC:abc")
    assert isinstance(short, UnrecognisedScan) and "3 characters" in short.hint


def test_ean13_with_valid_check_digit_is_an_ean13_barcode():
    assert classify("s", "6901234567892") == BarcodeScanned("s", "ean13", "6901234567892")
    assert classify("s", "6901234567893").symbology == "numeric"  # wrong check digit
    assert gtin_check_ok("96385074") and classify("s", "96385074").symbology == "ean8"


def test_code128_like_string_is_a_barcode():
    assert classify("s", "AB-1234/x") == BarcodeScanned("s", "code128", "AB-1234/x")


def test_track2_swipe_is_a_magstripe_event():
    event = classify("s", ";6222021234567890123=49121011234567890?")
    assert isinstance(event, MagstripeSwiped)
    assert event.tracks == {2: "6222021234567890123=49121011234567890"}
    assert "6222" not in repr(event)


def test_track1_and_track2_in_one_swipe_are_both_kept():
    event = classify("s", "%B6222021234567890^ZHANG/SAN^4912101?;6222021234567890=4912101?")
    assert isinstance(event, MagstripeSwiped) and event.track_numbers == (1, 2)
    assert event.tracks[1].startswith("B6222")


def test_broken_track_and_urls_and_long_text_are_unrecognised():
    for text in (";12345", "https://example.org/x", "x" * 49, "two words"):
        event = classify("s", text)
        assert isinstance(event, UnrecognisedScan), text
        assert event.length == len(text)


# --- fuzzing -------------------------------------------------------------------------------------

_codes = st.one_of(
    st.sampled_from([KEY_A, KEY_B, KEY_ENTER, KEY_KPENTER, KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_TAB]),
    st.integers(min_value=-5, max_value=800),
)
_events = st.tuples(
    st.one_of(st.floats(min_value=-1e3, max_value=1e6), st.sampled_from([float("nan"), float("inf"), -float("inf")])),
    st.sampled_from([EV_SYN, EV_KEY, EV_KEY, EV_KEY, 4, 2, 99, -1]),
    _codes,
    st.integers(min_value=-2, max_value=3),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_events, max_size=120), st.integers(min_value=1, max_value=16), st.booleans())
def test_arbitrary_event_streams_raise_only_our_errors_and_respect_the_cap(stream, cap, need_enter):
    decoder = ScanDecoder(DecoderConfig(max_length=cap, require_terminator=need_enter))
    results = []
    for t, ev_type, code, value in stream:
        try:
            results += decoder.feed(t, ev_type, code, value)
        except ScanError:
            continue
    results += decoder.poll(2e6)
    for result in results:
        if isinstance(result, Scan):
            assert 1 <= len(result.text) <= cap
        else:
            assert isinstance(result, IncompleteScan) and result.length <= cap
    assert not decoder.in_progress


def test_replay_accepts_recorded_event_objects():
    events = [RecordedEvent(0.0, EV_KEY, KEY_A, 1), RecordedEvent(0.001, EV_KEY, KEY_ENTER, 1)]
    assert texts(replay(events)) == ["a"]
