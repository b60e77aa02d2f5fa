"""`batchlint status`: what the batch runtime's state folder says.

Pending batches per key, turnaround (p50 / p95 / max) over history.jsonl,
failures, and what the ended batches cost at batch prices. It reads only the
JSON records, their `.consumed` lists and history.jsonl: it never unpickles an
item and never imports the project's code (nor the anthropic SDK).
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import datetime, timezone

from .savings.pricing import PriceTable

USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
COUNT_FIELDS = ("succeeded", "errored", "expired", "canceled")


class StatusError(Exception):
    """The state folder cannot be read at all (a usage error)."""


def default_state_dir() -> str:
    return os.environ.get("CLAUDE_BATCH_STATE_DIR") or ".claude_batch"


def read_status(directory: str, prices: PriceTable, now: datetime | None = None) -> dict:
    """Plain data for the renderers. Unreadable files become `problems`
    (one line naming each file) rather than errors."""
    if not os.path.isdir(directory):
        raise StatusError(f"no batch state folder at {directory} (pass STATE_DIR or set CLAUDE_BATCH_STATE_DIR)")
    now = now or datetime.now(timezone.utc)
    problems: list[str] = []
    pending, failed = [], []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            record = _record(os.path.join(directory, name), problems)
            if record is not None:
                pending += _pending(record, _consumed(os.path.join(directory, name[:-5] + ".consumed")), now)
                failed += [{"key": record["key"], **f} for f in record.get("failed", [])]
    history = _history(os.path.join(directory, "history.jsonl"), problems)
    return {
        "state_dir": os.path.abspath(directory),
        "pending": pending,
        "turnaround": _turnaround([h["turnaround_s"] for h in history if isinstance(h.get("turnaround_s"), (int, float))]),
        "failures": {**{k: sum(h["request_counts"].get(k, 0) for h in history) for k in COUNT_FIELDS},
                     "items": failed},
        "cost": _cost(history, prices),
        "problems": problems,
    }


def _record(path: str, problems: list[str]) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
        if not isinstance(record.get("key"), str) or not isinstance(record.get("batches"), list):
            raise ValueError("not a batch state record")  # noqa: TRY004 - reported like bad JSON
        return record
    except (OSError, ValueError, AttributeError) as exc:
        problems.append(f"{path}: unreadable batch state ({exc})")
        return None


def _consumed(path: str) -> set:
    try:
        with open(path, encoding="utf-8") as handle:
            return set(handle.read().split())
    except OSError:
        return set()


def _pending(record: dict, consumed_file: set, now: datetime) -> list[dict]:
    """Batches still in progress, and ended ones whose results the program
    has not processed yet."""
    consumed = set(record.get("consumed", [])) | consumed_file
    out = []
    for batch in record["batches"]:
        left = [r for r in batch.get("requests", []) if r.get("custom_id") not in consumed]
        if batch.get("status") == "ended" and not left:
            continue
        submitted = _time(batch.get("submitted_at"))
        out.append({"key": record["key"], "batch_id": batch.get("id"), "status": batch.get("status"),
                    "age_s": (now - submitted).total_seconds() if submitted else None,
                    "requests": len(batch.get("requests", [])), "unprocessed": len(left)})
    return out


def _history(path: str, problems: list[str]) -> list[dict]:
    """One entry per ended batch; a batch noted twice (a run killed between
    noting and saving) counts once."""
    entries: dict[str, dict] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    entry = json.loads(line)
                    entries[entry["batch_id"]] = entry
                    entry.setdefault("request_counts", {})
                    entry.setdefault("usage", {})
                except (ValueError, KeyError, TypeError) as exc:
                    problems.append(f"{path}:{number}: unreadable history line ({exc})")
    except FileNotFoundError:
        pass
    except OSError as exc:
        problems.append(f"{path}: unreadable ({exc})")
    return list(entries.values())


def _turnaround(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def rank(p: float) -> float | None:  # nearest-rank percentile
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)] if ordered else None

    return {"batches": len(ordered), "p50_s": rank(0.5), "p95_s": rank(0.95), "max_s": ordered[-1] if ordered else None}


def _cost(history: list[dict], prices: PriceTable) -> dict:
    """USD of the ended batches at batch prices (and what the same tokens
    cost synchronously), per model. Cache writes are priced at the 5-minute
    rate: the usage does not say which TTL was written."""
    usage: dict[str, dict] = {}
    for entry in history:
        for model, counts in entry["usage"].items():
            sums = usage.setdefault(model, dict.fromkeys(USAGE_FIELDS, 0))
            for field in USAGE_FIELDS:
                sums[field] += int(counts.get(field) or 0)
    models, batch_total, standard_total = [], 0.0, 0.0
    for model, sums in sorted(usage.items()):
        price = prices.get(model) or prices.get(re.sub(r"-\d{8}$", "", model))
        row = {"model": model, **sums, "batch_usd": None, "standard_usd": None}
        if price is not None:
            standard = (sums["input_tokens"] * price.input + sums["output_tokens"] * price.output
                        + sums["cache_creation_input_tokens"] * price.cache_write_5m
                        + sums["cache_read_input_tokens"] * price.cache_read) / 1e6
            row.update(standard_usd=standard, batch_usd=standard * prices.batch_discount)
            batch_total += row["batch_usd"]
            standard_total += standard
        models.append(row)
    return {"models": models, "batch_usd": batch_total, "standard_usd": standard_total}


def _time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


# ---------------------------------------------------------------- rendering
def render_json(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def render_text(data: dict) -> str:
    lines = [f"Batch state: {data['state_dir']}", ""]
    pending = data["pending"]
    lines.append(f"Pending batches: {len(pending) or 'none'}")
    for p in pending:
        what = (f"in progress for {_duration(p['age_s'])}, {p['requests']} requests" if p["status"] != "ended"
                else f"ended, {p['unprocessed']} of {p['requests']} results not processed yet")
        lines.append(f"  {p['key']}  {p['batch_id']}  {what}")
    t = data["turnaround"]
    lines.append("")
    lines.append(f"Turnaround over {t['batches']} ended batches: p50 {_duration(t['p50_s'])}, "
                 f"p95 {_duration(t['p95_s'])}, max {_duration(t['max_s'])}" if t["batches"]
                 else "Turnaround: no ended batch in history.jsonl yet")
    f = data["failures"]
    lines.append(f"Failures: {f['errored']} errored, {f['expired']} expired, {f['canceled']} canceled "
                 f"of {f['succeeded'] + f['errored'] + f['expired'] + f['canceled']} requests")
    for item in f["items"]:
        lines.append(f"  {item['key']}  {item.get('item', '?')}: {item.get('reason', '?')}")
    c = data["cost"]
    lines.append("")
    lines.append(f"Ended batches cost ${c['batch_usd']:.4f} at batch prices (${c['standard_usd']:.4f} at standard prices)")
    for m in c["models"]:
        price = f"${m['batch_usd']:.4f}" if m["batch_usd"] is not None else "no price in the table (see `batchlint models`)"
        lines.append(f"  {m['model']:<28} {m['input_tokens']:>10,} in {m['output_tokens']:>10,} out "
                     f"{m['cache_creation_input_tokens']:>9,} cache write {m['cache_read_input_tokens']:>9,} cache read  {price}")
    return "\n".join(lines) + "\n"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m" if hours else f"{rest // 60}m {rest % 60:02d}s"
