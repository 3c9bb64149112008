"""Untrusted text (a cassette's, a request's) made safe to print on a line of a terminal."""

from __future__ import annotations

import re

#: C0 controls, DEL and C1 controls: ESC (and C1's CSI) start terminal commands that clear the screen
#: or retitle the window, a newline or CR forges a line of output.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def escaped(value: object, characters: re.Pattern[str] = CONTROL) -> str:
    """``value`` as text with each of ``characters`` shown as ``\\xNN``."""
    return characters.sub(lambda match: f"\\x{ord(match.group()):02x}", str(value))
