"""One JSON object per line per finding (ruff's `json-lines`): the objects of
the `json` format's "findings" array (docs/json-format.md), errors first with
"code", "path", "message"."""

from __future__ import annotations

from ..model import CheckResult
from .escape import dumps
from .json_format import finding_dict


def render_json_lines(result: CheckResult, **_options) -> str:
    records = [{"code": e.code, "path": e.path, "line": 1, "column": 1, "message": e.message} for e in result.errors]
    records += [finding_dict(f) for f in result.findings]
    return "".join(dumps(record, indent=None) + "\n" for record in records)  # one line each, escaped as in json
