"""The enrolment code on the box's terminal: big block letters a technician reads across the room, and a QR.

English only: a fresh Debian console has no CJK font.

The code's alphabet has no look-alikes (no 0/O, 1/I/L), so the glyphs below cover what the server
sends; anything else is printed as itself.
"""

from __future__ import annotations

import sys
from typing import Final, TextIO

import segno

from provisioning.enrol import Code

# 5 rows per glyph, 5 columns; "#" is a block.
_GLYPHS: Final = {
    "0": (" ### ", "#  ##", "# # #", "##  #", " ### "),
    "1": ("  #  ", " ##  ", "  #  ", "  #  ", " ### "),
    "2": ("#### ", "    #", " ### ", "#    ", "#####"),
    "3": ("#### ", "    #", " ### ", "    #", "#### "),
    "4": ("#   #", "#   #", "#####", "    #", "    #"),
    "5": ("#####", "#    ", "#### ", "    #", "#### "),
    "6": (" ### ", "#    ", "#### ", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", "  #  "),
    "8": (" ### ", "#   #", " ### ", "#   #", " ### "),
    "9": (" ### ", "#   #", " ####", "    #", " ### "),
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "F": ("#####", "#    ", "#### ", "#    ", "#    "),
    "G": (" ####", "#    ", "#  ##", "#   #", " ####"),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": ("#####", "  #  ", "  #  ", "  #  ", "#####"),
    "J": ("  ###", "    #", "    #", "#   #", " ### "),
    "K": ("#   #", "#  # ", "###  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "Q": (" ### ", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "S": (" ####", "#    ", " ### ", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "V": ("#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("#   #", " # # ", "  #  ", " # # ", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "Z": ("#####", "   # ", "  #  ", " #   ", "#####"),
}
BLOCK: Final = "\u2588"


def big_text(text: str) -> str:
    """``text`` in 5-row block letters, two blocks wide per column so it is square on a console."""
    rows = []
    for row in range(5):
        cells = []
        for char in text.upper():
            glyph = _GLYPHS.get(char)
            pattern = glyph[row] if glyph else (f"  {char}  " if row == 2 else "     ")
            cells.append(pattern.replace("#", BLOCK * 2).replace(" ", "  "))
        rows.append("   ".join(cells).rstrip())
    return "\n".join(rows) + "\n"


class TerminalCodeDisplay:
    """Prints each code big, with the enrol address as text and QR, to a terminal."""

    def __init__(self, out: TextIO = sys.stdout, *, qr: bool = True) -> None:
        self.out = out
        self.qr = qr

    def show(self, code: Code) -> None:
        out = self.out
        out.write("\nEnrolment code: enter it in the console under Enrol a device\n\n")
        out.write(big_text(code.code))
        out.write(f"\n    {' '.join(code.code)}    (valid until {code.expires_at})\n")
        out.write(f"    or open {code.enrol_url} on a phone:\n")
        if self.qr:
            segno.make(code.enrol_url, error="m").terminal(out=out, compact=True, border=2)
        out.write("\nwaiting for the code to be entered… (Ctrl-C cancels; nothing is installed yet)\n")
        out.flush()

    def expired(self, code: Code) -> None:
        self.out.write(f"code {code.code} expired before it was entered; here is a new one\n")
        self.out.flush()
