"""The batch runtime that `batchlint fix` writes into a project as `_claude_batch.py`.

batchlint never imports it (it needs the anthropic SDK, which batchlint does
not depend on): the codemod reads its text with source().
"""

from __future__ import annotations

from pathlib import Path

RUNTIME_PATH = Path(__file__).with_name("claude_batch.py")
VERSION = 2  # the runtime's `__version__`; tests check they agree


def source() -> str:
    """The runtime module's text, as written into a project."""
    return RUNTIME_PATH.read_text(encoding="utf-8")
