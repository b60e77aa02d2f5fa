"""SARIF 2.1.0 for GitHub code scanning and other review bots."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from .._version import __version__
from ..fingerprint import fingerprints
from ..model import CheckResult, Finding
from ..rules import RULES
from .escape import dumps
from .json_format import estimate_dict

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SAFE = "/!$&'()*+,;=@~"  # RFC 3986 sub-delims, `/`, `@` and `~` stay as they are
_LEVEL = {"BL0": "error", "BL1": "warning", "BL2": "note"}


def _uri(path: str) -> str:
    """A URI reference: reserved characters (`#`, `?`, `%`, a `:` that would read
    as a scheme), spaces and controls percent-encoded, and a file-name byte that
    is not UTF-8 as itself (`%FF`), so every name maps back to its file."""
    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(os.fsencode(Path(path).as_posix()), safe=_SAFE)


def _region(line: int, column: int, end_line: int, end_column: int) -> dict:
    region = {"startLine": max(1, line), "startColumn": max(1, column)}
    if end_line >= line and end_column > 0:
        region.update(endLine=end_line, endColumn=end_column)
    return region


def _result(finding: Finding, rule_index: dict[str, int], fingerprint: str) -> dict:
    loc = finding.location
    result = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": _LEVEL.get(finding.code[:3], "warning"),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(loc.path), "uriBaseId": "%SRCROOT%"},
            "region": _region(loc.line, loc.column, loc.end_line, loc.end_column),
        }}],
        "partialFingerprints": {"batchlint/v1": fingerprint},
        "properties": {"context": finding.context.value if finding.context else None, "evidence": list(finding.evidence)},
    }
    calls = [c for c in (finding.call, *finding.other_calls) if c != finding.location]
    if calls:
        result["relatedLocations"] = [{
            "id": number,
            "message": {"text": f"the Claude API call ({finding.sdk_call})"},
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(call.path), "uriBaseId": "%SRCROOT%"},
                "region": _region(call.line, call.column, call.end_line, call.end_column),
            },
        } for number, call in enumerate(calls, start=1)]
    if finding.fix is not None:
        result["properties"]["fixable"] = finding.fix.fixable
        result["properties"]["fix"] = finding.fix.reason
        if finding.fix.fixable:
            result["properties"]["fixSafety"] = finding.fix.safety
            if finding.fix.unsafe_because:
                result["properties"]["fixUnsafeBecause"] = finding.fix.unsafe_because
        if finding.fix.edits:
            result["fixes"] = [{
                "description": {"text": f"batchlint fix: {finding.fix.reason}"},
                "artifactChanges": [{
                    "artifactLocation": {"uri": _uri(finding.call.path), "uriBaseId": "%SRCROOT%"},
                    "replacements": [{
                        "deletedRegion": {"charOffset": offset, "charLength": length},
                        "insertedContent": {"text": text},
                    } for offset, length, text in finding.fix.edits],
                }],
            }]
    estimate = estimate_dict(finding.estimate)
    if estimate is not None:
        result["properties"]["estimate"] = estimate
        result["properties"]["monthlySavingUsd"] = estimate["monthly_usd"]["saving"]
    return result


def render_sarif(result: CheckResult, **_options) -> str:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "helpUri": rule.doc_url,
            "help": {"text": f"{rule.summary} See {rule.doc_url}",
                     "markdown": f"{rule.summary}\n\n[Rule documentation]({rule.doc_url})"},
            "defaultConfiguration": {"level": _LEVEL.get(rule.code[:3], "warning")},
            "properties": {"tags": ["cost", "claude", "batch"] if rule.code.startswith(("BL1", "BL2")) else ["input"]},
        }
        for rule in RULES
    ]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    cwd = Path(os.getcwd()).as_uri() + "/"
    run = {
        "tool": {"driver": {
            "name": "batchlint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": "https://github.com/batchlint/batchlint",
            "rules": rules,
        }},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd}},
        "results": [_result(f, rule_index, fp) for f, fp in zip(result.findings, fingerprints(result.findings))],
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": f"{e.path}: {e.message}"},
                    "descriptor": {"id": e.code},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.path), "uriBaseId": "%SRCROOT%"},
                                                        **({"region": _region(e.line, e.column, 0, 0)} if e.line > 0 else {})}}],
                }
                for e in result.errors
            ],
        }],
        "properties": {"filesChecked": result.files_checked, "filesParsed": result.files_parsed},
    }
    return dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}) + "\n"
