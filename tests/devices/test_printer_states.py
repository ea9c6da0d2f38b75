"""ESC/POS real-time status bytes (DLE EOT 1, 2, 4) and the printer state they stand for.

The vectors are written out bit by bit from the Epson ESC/POS reference's field tables, not produced
by the simulator or the parser: bit 1 and bit 4 are always 1, bits 0 and 7 always 0 (0b0001_0010).
"""

from __future__ import annotations

import pytest

from devices.drivers.printer_states import PrinterState, escpos_state, status_byte_fault

IDLE = 0b0001_0010  # the fixed bits only: 0x12
# DLE EOT 1 (printer status): bit 3 = offline
ONLINE = IDLE
OFFLINE_BIT = 0b0001_1010  # 0x1A
# DLE EOT 2 (offline cause): bit 2 = cover open, bit 5 = stopped at paper end, bit 6 = error
NO_CAUSE = IDLE
COVER = 0b0001_0110  # 0x16
PAPER_END_STOP = 0b0011_0010  # 0x32
ERROR_BIT = 0b0101_0010  # 0x52
# DLE EOT 4 (roll paper sensor): bits 2-3 = near end, bits 5-6 = paper end
PAPER_OK = IDLE
NEAR_END = 0b0001_1110  # 0x1E
PAPER_END = 0b0111_0010  # 0x72
BOTH_ENDS = 0b0111_1110  # 0x7E
HALF_NEAR_END = 0b0001_0110  # only bit 2 of the pair: not near end


@pytest.mark.parametrize(
    ("status", "cause", "paper", "state"),
    [
        (ONLINE, NO_CAUSE, PAPER_OK, PrinterState.READY),
        (ONLINE, NO_CAUSE, NEAR_END, PrinterState.PAPER_LOW),
        (ONLINE, NO_CAUSE, HALF_NEAR_END, PrinterState.READY),
        (OFFLINE_BIT, PAPER_END_STOP, PAPER_END, PrinterState.PAPER_OUT),
        (OFFLINE_BIT, PAPER_END_STOP, BOTH_ENDS, PrinterState.PAPER_OUT),
        (OFFLINE_BIT, PAPER_END_STOP, PAPER_OK, PrinterState.PAPER_OUT),  # the stop alone says so
        (OFFLINE_BIT, NO_CAUSE, PAPER_END, PrinterState.PAPER_OUT),  # the sensor alone says so
        (OFFLINE_BIT, COVER, PAPER_OK, PrinterState.COVER_OPEN),
        (OFFLINE_BIT, COVER, NEAR_END, PrinterState.COVER_OPEN),
        (OFFLINE_BIT, ERROR_BIT, PAPER_OK, PrinterState.ERROR),
        (OFFLINE_BIT, NO_CAUSE, PAPER_OK, PrinterState.OFFLINE),
    ],
)
def test_status_bytes_give_the_state(status: int, cause: int, paper: int, state: PrinterState) -> None:
    report = escpos_state({1: status, 2: cause, 4: paper})
    assert report.state is state
    assert (report.message == "") is (state is PrinterState.READY)


@pytest.mark.parametrize(
    "value",
    [
        0x00,  # bits 1 and 4 missing
        0x02,  # bit 4 missing
        0x10,  # bit 1 missing
        0x13,  # bit 0 set
        0x92,  # bit 7 set
        0xFF,
    ],
)
def test_a_byte_that_breaks_the_fixed_bits_is_an_error_state_not_a_crash(value: int) -> None:
    assert status_byte_fault(2, value) is not None
    report = escpos_state({1: IDLE, 2: value, 4: IDLE})
    assert report.state is PrinterState.ERROR
    assert f"0x{value:02x}" in report.message and "DLE EOT 2" in report.message


def test_every_valid_byte_passes_the_fixed_bit_check() -> None:
    valid = [v for v in range(256) if status_byte_fault(1, v) is None]
    # 4 fixed bits leave 2**4 = 16 valid bytes: 0x12 with any of bits 2, 3, 5, 6
    assert len(valid) == 16
    assert all(v & 0b1001_0011 == 0b0001_0010 for v in valid)


def test_a_missing_answer_means_offline() -> None:
    report = escpos_state({1: IDLE, 2: IDLE})
    assert report.state is PrinterState.OFFLINE
    assert "DLE EOT 4" in report.message
    assert escpos_state({}).state is PrinterState.OFFLINE


def test_paper_low_still_prints_but_paper_out_does_not() -> None:
    assert PrinterState.PAPER_LOW.can_print and PrinterState.READY.can_print
    assert not any(
        s.can_print
        for s in (
            PrinterState.PAPER_OUT,
            PrinterState.COVER_OPEN,
            PrinterState.OFFLINE,
            PrinterState.PAUSED,
            PrinterState.ERROR,
        )
    )
