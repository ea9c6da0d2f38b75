"""US keyboard layout for keyboard-wedge scanners: Linux input scan codes to characters.

The constants mirror ``evdev.ecodes`` (``linux/input-event-codes.h``) so decoding runs on machines
without python-evdev; a test checks every one against ``evdev.ecodes`` where it is installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# Event types and the codes the decoder cares about (linux/input-event-codes.h).
EV_SYN: Final = 0x00
EV_KEY: Final = 0x01
EV_MSC: Final = 0x04
SYN_REPORT: Final = 0
MSC_SCAN: Final = 4

KEY_UP_VALUE: Final = 0
KEY_DOWN_VALUE: Final = 1
KEY_REPEAT_VALUE: Final = 2

KEY_ESC: Final = 1
KEY_1: Final = 2
KEY_2: Final = 3
KEY_3: Final = 4
KEY_4: Final = 5
KEY_5: Final = 6
KEY_6: Final = 7
KEY_7: Final = 8
KEY_8: Final = 9
KEY_9: Final = 10
KEY_0: Final = 11
KEY_MINUS: Final = 12
KEY_EQUAL: Final = 13
KEY_BACKSPACE: Final = 14
KEY_TAB: Final = 15
KEY_Q: Final = 16
KEY_W: Final = 17
KEY_E: Final = 18
KEY_R: Final = 19
KEY_T: Final = 20
KEY_Y: Final = 21
KEY_U: Final = 22
KEY_I: Final = 23
KEY_O: Final = 24
KEY_P: Final = 25
KEY_LEFTBRACE: Final = 26
KEY_RIGHTBRACE: Final = 27
KEY_ENTER: Final = 28
KEY_LEFTCTRL: Final = 29
KEY_A: Final = 30
KEY_S: Final = 31
KEY_D: Final = 32
KEY_F: Final = 33
KEY_G: Final = 34
KEY_H: Final = 35
KEY_J: Final = 36
KEY_K: Final = 37
KEY_L: Final = 38
KEY_SEMICOLON: Final = 39
KEY_APOSTROPHE: Final = 40
KEY_GRAVE: Final = 41
KEY_LEFTSHIFT: Final = 42
KEY_BACKSLASH: Final = 43
KEY_Z: Final = 44
KEY_X: Final = 45
KEY_C: Final = 46
KEY_V: Final = 47
KEY_B: Final = 48
KEY_N: Final = 49
KEY_M: Final = 50
KEY_COMMA: Final = 51
KEY_DOT: Final = 52
KEY_SLASH: Final = 53
KEY_RIGHTSHIFT: Final = 54
KEY_SPACE: Final = 57
KEY_KPENTER: Final = 96

SHIFT_KEYS: Final = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
ENTER_KEYS: Final = frozenset({KEY_ENTER, KEY_KPENTER})

_LETTERS: Final = {
    KEY_A: "a", KEY_B: "b", KEY_C: "c", KEY_D: "d", KEY_E: "e", KEY_F: "f", KEY_G: "g",
    KEY_H: "h", KEY_I: "i", KEY_J: "j", KEY_K: "k", KEY_L: "l", KEY_M: "m", KEY_N: "n",
    KEY_O: "o", KEY_P: "p", KEY_Q: "q", KEY_R: "r", KEY_S: "s", KEY_T: "t", KEY_U: "u",
    KEY_V: "v", KEY_W: "w", KEY_X: "x", KEY_Y: "y", KEY_Z: "z",
}  # fmt: skip

# (unshifted, shifted) for the number row and punctuation of a US layout.
_SYMBOLS: Final = {
    KEY_1: ("1", "!"), KEY_2: ("2", "@"), KEY_3: ("3", "#"), KEY_4: ("4", "$"), KEY_5: ("5", "%"),
    KEY_6: ("6", "^"), KEY_7: ("7", "&"), KEY_8: ("8", "*"), KEY_9: ("9", "("), KEY_0: ("0", ")"),
    KEY_MINUS: ("-", "_"), KEY_EQUAL: ("=", "+"), KEY_LEFTBRACE: ("[", "{"), KEY_RIGHTBRACE: ("]", "}"),
    KEY_SEMICOLON: (";", ":"), KEY_APOSTROPHE: ("'", '"'), KEY_GRAVE: ("`", "~"),
    KEY_BACKSLASH: ("\\", "|"), KEY_COMMA: (",", "<"), KEY_DOT: (".", ">"), KEY_SLASH: ("/", "?"),
    KEY_SPACE: (" ", " "),
}  # fmt: skip

US_KEYMAP: Final[Mapping[int, tuple[str, str]]] = MappingProxyType(
    {**{code: (ch, ch.upper()) for code, ch in _LETTERS.items()}, **_SYMBOLS}
)
"""Scan code -> (character without Shift, character with Shift)."""


def _reverse(keymap: Mapping[int, tuple[str, str]]) -> dict[str, tuple[int, bool]]:
    reverse: dict[str, tuple[int, bool]] = {}
    for code, (plain, shifted) in keymap.items():
        reverse.setdefault(plain, (code, False))
        reverse.setdefault(shifted, (code, True))
    return reverse


US_CHAR_TO_KEY: Final[Mapping[str, tuple[int, bool]]] = MappingProxyType(_reverse(US_KEYMAP))
"""Character -> (scan code, needs Shift): what a scanner types for that character."""


def char_for(code: int, shifted: bool, keymap: Mapping[int, tuple[str, str]] = US_KEYMAP) -> str | None:
    """The character a key-down of ``code`` types, or None when the code is not a character key."""
    pair = keymap.get(code)
    if pair is None:
        return None
    return pair[1] if shifted else pair[0]
