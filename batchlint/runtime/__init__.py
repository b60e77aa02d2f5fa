"""The runtime module `batchlint fix` writes into a project (read as text, never imported here)."""

from pathlib import Path

RUNTIME_PATH = Path(__file__).with_name("claude_batch.py")
VERSION = 1


def source() -> str:
    return RUNTIME_PATH.read_text(encoding="utf-8")
