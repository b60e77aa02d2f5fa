"""Whether to colour the text output, and the few styles it uses.

`--color always|never` decides; with `auto` (the default) NO_COLOR (any
non-empty value, no-color.org) turns colour off, then FORCE_COLOR turns it on,
then colour is on only when the output goes to a terminal: a pipe, a file
(`-o`) or CI log reader never sees escape codes it did not ask for.
"""

from __future__ import annotations

import os

CHOICES = ("auto", "always", "never")

# SGR codes, as ruff colours its lines: bold path, red code, green saving.
_STYLES = {"path": "1", "code": "1;31", "saving": "32", "dim": "2", "caret": "1;31"}


def use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def paint(text: str, style: str, on: bool) -> str:
    """`text` (already escaped) in `style`, or unchanged when colour is off."""
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if on and text else text
