"""JUnit XML (as `ruff --output-format junit`): one <testsuite> per file, one
<testcase> with a <failure> per finding. ElementTree escapes &, < and >; a
character XML 1.0 cannot hold at all (most controls) is shown as an escape
first, by the same rule as every format (escape.clean)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..model import CheckResult
from ..money import usd
from .escape import clean


def render_junit(result: CheckResult, **_options) -> str:
    by_file: dict[str, list[tuple[str, str, int, int, str]]] = {}
    for error in result.errors:
        by_file.setdefault(error.path, []).append((error.code, error.message, 1, 1, error.message))
    for f in result.findings:
        saving = f" (saves ~{usd(f.estimate.monthly_saving)}/month in batch)" if f.estimate else ""
        by_file.setdefault(f.path, []).append((f.code, f.short_message + saving, f.line, f.column, f.message))
    total = sum(len(cases) for cases in by_file.values())
    suites = ET.Element("testsuites", name="batchlint", tests=str(total), failures=str(total), errors="0")
    for path in sorted(by_file):
        cases = by_file[path]
        suite = ET.SubElement(suites, "testsuite", name=clean(path), tests=str(len(cases)), failures=str(len(cases)),
                              errors="0")
        for code, short, line, column, message in cases:
            case = ET.SubElement(suite, "testcase", name=f"{code}:{line}:{column}", classname=clean(path),
                                 file=clean(path), line=str(line))
            failure = ET.SubElement(case, "failure", message=clean(f"{code} {short}"), type=code)
            failure.text = clean(f"{path}:{line}:{column}: {code} {message}")
    if not by_file:  # a clean run: one passing case, so CI shows the check ran
        suite = ET.SubElement(suites, "testsuite", name="batchlint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="no findings", classname="batchlint")
        suites.set("tests", "1")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
