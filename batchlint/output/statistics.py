"""`--statistics`: how many findings of each code, as `ruff --statistics`
prints them (count, code, rule name), with the code's monthly saving."""

from __future__ import annotations

from ..model import CheckResult
from ..money import usd
from ..rules import BY_CODE


def render_statistics(result: CheckResult) -> str:
    counts: dict[str, list] = {}
    for error in result.errors:
        counts.setdefault(error.code, [0, 0.0])[0] += 1
    for f in result.findings:
        entry = counts.setdefault(f.code, [0, 0.0])
        entry[0] += 1
        entry[1] += f.estimate.monthly_saving if f.estimate else 0.0
    lines = []
    for code, (count, saving) in sorted(counts.items(), key=lambda item: (-item[1][0], item[0])):
        rule = BY_CODE.get(code)
        money = f"  saves ~{usd(saving)}/mo" if saving else ""
        lines.append(f"{count:>5}\t{code}\t{rule.name if rule else '':<30}{money}".rstrip())
    return "\n".join(lines) + ("\n" if lines else "")
