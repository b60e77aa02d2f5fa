"""Policies a team applies to a CheckResult in review: baselines, changed lines,
money thresholds. Plain functions over plain values; git is asked only here."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import replace

from ._version import __version__
from .atomic import replace_file
from .fingerprint import fingerprints
from .model import CheckResult, Finding

BASELINE_VERSION = 1


class GateError(Exception):
    """A usage problem (unreadable baseline, git failure); exit 2."""


# ----------------------------------------------------------------- baseline
def write_baseline(result: CheckResult, path: str) -> int:
    prints = fingerprints(result.findings)
    entries = [{"fingerprint": fp, "code": f.code, "path": f.path, "message": f.message}
               for fp, f in sorted(zip(prints, result.findings), key=lambda pair: pair[1].sort_key())]
    data = {"tool": "batchlint", "version": __version__, "baseline_version": BASELINE_VERSION, "findings": entries}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:  # a fresh name beside the baseline: a committed `<path>.tmp` link cannot redirect the write
        replace_file(path, text.encode("utf-8"), ".batchlint-baseline-", mode=0o666)  # as open() would create it
    except OSError as exc:
        raise GateError(f"{path}: cannot write the baseline: {exc.strerror}") from None
    return len(entries)


def read_baseline(path: str) -> set[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return {entry["fingerprint"] for entry in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GateError(f"{path}: not a batchlint baseline ({exc})") from None


def without_baseline(result: CheckResult, known: set[str]) -> CheckResult:
    prints = fingerprints(result.findings)
    kept = tuple(f for fp, f in zip(prints, result.findings) if fp not in known)
    return replace(result, findings=kept, suppressed=result.suppressed + len(result.findings) - len(kept))


# ------------------------------------------------------------ changed lines
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_PLACE = re.compile(r"((?:[\w.\-]+/)*[\w.\-]+\.py):(\d+)")


def changed_lines(base: str, cwd: str = ".") -> dict[str, set[int]]:
    """Lines added or changed since `base`, per file (paths relative to cwd)."""
    commit = _commit(base, cwd)
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
        diff = subprocess.run(["git", "diff", "--unified=0", "--no-color", "--no-ext-diff", "--end-of-options", commit, "--"],
                              cwd=cwd, capture_output=True, text=True, check=True).stdout
        untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--full-name"],
                                   cwd=cwd, capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise GateError(f"--diff-base {base}: git failed: {detail.strip()}") from None
    out: dict[str, set[int]] = {}
    current = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = None if name == "/dev/null" else os.path.relpath(os.path.join(top, name[2:] if name.startswith("b/") else name), cwd)
            continue
        match = _HUNK.match(line)
        if match and current is not None:
            start, count = int(match.group(1)), int(match.group(2) or 1)
            out.setdefault(current.replace(os.sep, "/"), set()).update(range(start, start + count))
    for name in untracked:  # new files: every line is new
        if name.endswith(".py"):
            path = os.path.relpath(os.path.join(top, name), cwd).replace(os.sep, "/")
            out[path] = {0}  # marker: the whole file
    return out


def _commit(base: str, cwd: str) -> str:
    """The commit `base` names, as a hash. Only a revision reaches git: a value
    starting with `-` (`--output=FILE`) would be read as an option, so it is
    refused here, and the name is passed after --end-of-options besides."""
    if not base or base.startswith("-") or "\0" in base:
        raise GateError(f"--diff-base {base!r}: not a git revision")
    try:
        found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", base + "^{commit}"],
                               check=False, cwd=cwd, capture_output=True, text=True)
    except OSError as exc:
        raise GateError(f"--diff-base {base!r}: git failed: {exc}") from None
    commit = found.stdout.strip()
    if found.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40,64}", commit):
        raise GateError(f"--diff-base {base!r}: not a commit in this repository")
    return commit


def _places(finding: Finding) -> set[tuple[str, int]]:
    """Every place the finding rests on: the report site, the SDK call, and each
    step of its evidence (a changed decorator or schedule makes a finding new)."""
    places = {(finding.path, finding.line), (finding.call.path, finding.call.line)}
    for step in finding.evidence:
        places.update((path, int(line)) for path, line in _PLACE.findall(step))
    return places


def only_changed(result: CheckResult, changed: dict[str, set[int]]) -> CheckResult:
    def touched(finding: Finding) -> bool:
        ranges = list(finding.anchors) or [(path, line, line) for path, line in _places(finding)]
        for path, first, last in ranges:
            lines = changed.get(path.replace(os.sep, "/"))
            if lines and (0 in lines or any(first <= line <= last for line in lines)):
                return True
        return False

    kept = tuple(f for f in result.findings if touched(f))
    return replace(result, findings=kept)


def monthly_saving(result: CheckResult) -> float:
    return sum(f.estimate.monthly_saving for f in result.findings if f.estimate is not None and f.code.startswith("BL1"))
