"""GitHub Actions workflow commands: one `::warning` annotation per finding."""

from __future__ import annotations

from ..model import CheckResult
from ..money import usd
from .escape import clean


def _data(text: str) -> str:
    # GitHub's own escapes for %, CR and LF; every other control (ESC, so CSI),
    # bidi or non-UTF-8 character is shown as a visible escape.
    return clean(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, **_options) -> str:
    lines = []
    for error in result.errors:
        where = f"line={max(1, error.line)}" + (f",col={error.column}" if error.column > 0 else "")
        lines.append(f"::error file={_property(error.path)},{where},title={_property(error.code)}::{_data(error.message)}")
    for f in result.findings:
        loc = f.location
        level = "notice" if f.code.startswith("BL2") else "warning"
        saving = f" (about {usd(f.estimate.monthly_saving)}/month saved in batch)" if f.estimate else ""
        lines.append(
            f"::{level} file={_property(loc.path)},line={loc.line},col={loc.column},"
            f"endLine={loc.end_line or loc.line},endColumn={loc.end_column or loc.column},"
            f"title={_property(f.code)}::{_data(f.message + saving)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")
