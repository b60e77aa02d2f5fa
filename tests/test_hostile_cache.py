"""A cache folder that comes from a pull request (issue 22): links out of the
tree, entries damaged, copied or forged. Nothing outside the tree is read,
written or removed, nothing crashes, and results equal a run without cache.
Every hostile entry is generated here; none is committed."""

from __future__ import annotations

import itertools
import json
import os
import re
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CACHE_PROJECT, write

from batchlint import cache as cache_module
from batchlint import cache_pack, cache_runs
from batchlint import check_paths
from batchlint.cli import main
from batchlint.config import Config

needs_links = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symbolic links")

# the cache tests' project, and a script a workflow schedules (so every kind of entry is written)
PROJECT = {
    **CACHE_PROJECT,
    "nightly.py": "from llm import ask\n\nfor row in open('rows.txt'):\n    ask(row)\n",
    ".github/workflows/nightly.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  run:\n    steps:\n      - run: python nightly.py\n",
}


def run(root: Path, cache_dir: str | None = None):
    old = os.getcwd()
    os.chdir(root)
    try:
        return check_paths(["."], Config(root=str(root)), cache_dir=cache_dir)
    finally:
        os.chdir(old)


def snapshot(folder: Path) -> dict:
    """Every name below `folder` with its bytes (or link target) and mtime."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        body = os.readlink(path) if path.is_symlink() else (path.read_bytes() if path.is_file() else None)
        out[str(path.relative_to(folder))] = (body, st.st_mtime_ns)
    return out


@pytest.fixture
def tree(tmp_path):
    """(project root, a decoy folder outside it holding JSON files a link could reach)."""
    root = tmp_path / "repo"
    write(root, PROJECT)
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "credentials.json").write_text('{"token": "secret"}')
    (decoy / "other.json").write_text("[]")
    return root, decoy


# --------------------------------------------------------------- links
def _kind_folder(kind: str, cache: str) -> str:
    return {"facts": cache_module.facts_folder, "runs": cache_module.runs_folder,
            "schedules": cache_module.schedules_folder}[kind](cache)


@needs_links
@pytest.mark.parametrize("kind", ["facts", "runs", "schedules"])
def test_a_cache_folder_linked_out_of_the_tree_is_not_used(tree, kind):
    root, decoy = tree
    expected = run(root)
    cache = str(root / ".batchlint_cache")
    os.makedirs(cache)
    os.symlink(decoy, _kind_folder(kind, cache))
    before = snapshot(decoy)
    for _ in range(2):  # and again: nothing was stored that a second run could use
        result = run(root, cache)
        assert result.findings == expected.findings and result.errors == expected.errors
        (notice,) = result.notices
        assert "not used" in notice and os.path.basename(_kind_folder(kind, cache)) in notice
    assert snapshot(decoy) == before  # credentials.json is still there, nothing written
    assert sorted(os.listdir(cache)) == [os.path.basename(_kind_folder(kind, cache))]


def test_a_plain_cache_is_used_without_a_notice(tree):
    root, _ = tree
    cache = str(root / ".batchlint_cache")
    cold = run(root, cache)
    assert cold.notices == () and os.path.isfile(os.path.join(cache, ".gitignore"))
    assert list(Path(cache).glob(f"facts-*/{cache_pack.PACK_NAME}")) and list(Path(cache).glob("runs-*/*.json"))
    assert run(root, cache) == cold


@needs_links
def test_a_dangling_gitignore_link_is_not_created_through(tree):
    root, decoy = tree
    cache = root / ".batchlint_cache"
    cache.mkdir()
    os.symlink(decoy / "planted", cache / ".gitignore")
    expected = run(root)
    result = run(root, str(cache))
    assert result.findings == expected.findings
    (notice,) = result.notices
    assert ".gitignore" in notice
    assert not (decoy / "planted").exists()
    assert os.listdir(cache) == [".gitignore"]  # nothing else written beside the link


@needs_links
def test_a_cache_directory_that_is_a_link_is_not_used(tree):
    root, decoy = tree
    os.symlink(decoy, root / ".batchlint_cache")
    before = snapshot(decoy)
    result = run(root, str(root / ".batchlint_cache"))
    assert result.findings == run(root).findings
    assert len(result.notices) == 1 and ".batchlint_cache" in result.notices[0]
    assert snapshot(decoy) == before


@needs_links
@pytest.mark.parametrize("kind", ["facts", "runs", "schedules"])
def test_an_entry_linked_out_of_the_tree_is_neither_read_nor_touched(tree, kind):
    root, decoy = tree
    cache = str(root / ".batchlint_cache")
    expected = run(root)
    run(root, cache)
    folder = Path(_kind_folder(kind, cache))
    entry = next(folder.glob("*.json" if kind != "facts" else cache_pack.PACK_NAME))
    entry = entry.rename(folder / f"::warning::x\x1b[2J{entry.name}")  # the notice shows this name, escaped
    target = decoy / "credentials.json"
    entry.unlink()
    os.symlink(target, entry)
    (decoy / "planted.json").symlink_to(target)  # decoy links are not ours to remove either
    before = snapshot(decoy)
    for stale in Path(cache).glob("runs-*/*.json"):
        if stale != entry:
            stale.unlink()
    result = run(root, cache)
    assert result.findings == expected.findings
    (notice,) = result.notices
    assert entry.name.replace("\x1b", "\\x1b") in notice and "\x1b" not in notice
    assert snapshot(decoy) == before and entry.is_symlink()


@needs_links
def test_clean_never_follows_a_link(tree):
    root, decoy = tree
    runner = CliRunner()
    cache = root / ".batchlint_cache"
    (decoy / ".gitignore").write_text("*\n")
    os.symlink(decoy, cache)
    old = os.getcwd()
    os.chdir(root)
    try:
        linked = runner.invoke(main, ["clean", "--cache-dir", str(cache)])
        assert linked.exit_code == 0 and "symbolic link" in linked.output
        assert (decoy / "credentials.json").exists() and cache.is_symlink()
        cache.unlink()
        # a real cache holding a link: the link goes, what it points to stays
        assert run(root, str(cache)).notices == ()
        os.symlink(decoy, cache / "facts-planted")
        cleaned = runner.invoke(main, ["clean", "--cache-dir", str(cache)])
        assert "Removed" in cleaned.output and not os.path.lexists(cache)
        assert (decoy / "credentials.json").read_text() == '{"token": "secret"}'
    finally:
        os.chdir(old)


@needs_links
def test_the_cli_prints_one_notice_and_goes_on(tree):
    root, decoy = tree
    cache = root / ".batchlint_cache"
    cache.mkdir()
    os.symlink(decoy, _kind_folder("runs", str(cache)))
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["check", "-j", "1", "."])
    finally:
        os.chdir(old)
    assert result.exit_code == 1 and "jobs.py:4" in result.stdout
    assert [line for line in result.stderr.splitlines() if "cache" in line] == [result.stderr.strip()]
    assert "not used" in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------ damaged entries
def _entries(cache: str, kind: str) -> list:
    if kind == "facts":
        pack = Path(_kind_folder(kind, cache)) / cache_pack.PACK_NAME
        return [PackEntry(pack, n) for n in range(len(_records(pack)))] if pack.is_file() else []
    if kind == "runs":
        return [RunEntry(path) for path in sorted(Path(_kind_folder(kind, cache)).glob("*.json"))]
    return sorted(Path(_kind_folder(kind, cache)).glob("*.json"))


def _records(pack: Path) -> list[bytes]:
    """The record bodies of a facts pack, read by their length prefixes alone."""
    data = pack.read_bytes()
    assert data.startswith(cache_pack.HEADER)
    out, pos = [], len(cache_pack.HEADER)
    while pos < len(data):
        digits, _, _ = data[pos:].partition(b"\n")
        start = pos + len(digits) + 1
        out.append(data[start:start + int(digits)])
        pos = start + int(digits)
    return out


class PackEntry:
    """One record of the facts pack, seen as the entry file it was before
    packs: `key\nchecksum\nJSON`, the JSON decompressed; writing puts it back
    in its place, the JSON compressed again (bytes without two newlines go in
    as they are). So every damage below applies to facts as to the other kinds."""

    def __init__(self, pack: Path, position: int) -> None:
        self.pack, self.position = pack, position
        self.name = _records(pack)[position].partition(b"\n")[0].decode(errors="replace")

    def __eq__(self, other) -> bool:
        return isinstance(other, PackEntry) and (self.pack, self.position) == (other.pack, other.position)

    def read_bytes(self) -> bytes:
        body = _records(self.pack)[self.position]
        key, sep, rest = body.partition(b"\n")
        stored, sep2, packed = rest.partition(b"\n")
        try:
            return b"\n".join((key, stored, zlib.decompress(packed))) if sep and sep2 else body
        except zlib.error:
            return body

    def write_bytes(self, data: bytes) -> None:
        key, sep, rest = data.partition(b"\n")
        stored, sep2, payload = rest.partition(b"\n")
        body = b"\n".join((key, stored, zlib.compress(payload))) if sep and sep2 else data
        records = _records(self.pack)
        records[self.position] = body
        self.pack.write_bytes(cache_pack.pack(records))


class RunEntry:
    """A run-level entry, seen as one JSON document (`key\nchecksum\nJSON`)
    although its payload is lines (cache_runs.py): reading joins the lines
    into the result's JSON, writing splits a result's JSON into lines again,
    signed anew if the checksum held for the document (a forgery stays one),
    and writes anything else as it is. So every damage below applies to it."""

    def __init__(self, path: Path) -> None:
        self.path, self.name = path, path.name

    def __eq__(self, other) -> bool:
        return isinstance(other, RunEntry) and self.path == other.path

    def unlink(self) -> None:
        self.path.unlink()

    def read_bytes(self) -> bytes:
        data = self.path.read_bytes()
        key, _, rest = data.partition(b"\n")
        stored, _, payload = rest.partition(b"\n")
        raw = cache_runs.raw_result(payload)
        return b"\n".join((key, stored, _dumps(raw))) if raw is not None else data

    def write_bytes(self, data: bytes) -> None:
        key, sep, rest = data.partition(b"\n")
        stored, sep2, payload = rest.partition(b"\n")
        lines = _as_lines(payload) if sep and sep2 else None
        if lines is None:
            self.path.write_bytes(data)
            return
        signed = stored == cache_module._checksum(key, payload)
        self.path.write_bytes(b"\n".join((key, cache_module._checksum(key, lines) if signed else stored, lines)))


def _as_lines(payload: bytes) -> bytes | None:
    """A result's JSON document as the lines of cache_runs.py, or None if it is not one."""
    try:
        raw = json.loads(payload)
        found, suppressed = raw[cache_runs._FINDINGS], raw[cache_runs._SUPPRESSED]
        lines = [_dumps([*raw[:cache_runs._FINDINGS], [], *raw[cache_runs._FINDINGS + 1:cache_runs._SUPPRESSED], [],
                         *raw[cache_runs._SUPPRESSED + 1:]])]
        for kind, items, path_of in ((b"F", found, lambda f: f[3][1]), (b"S", suppressed, lambda pair: pair[0][3][1])):
            for path, group in itertools.groupby(items, key=path_of):
                lines.append(kind + _dumps(path) + b"\t" + _dumps(list(group)))
    except (ValueError, RecursionError, TypeError, IndexError, KeyError):
        return None
    return b"\n".join(lines)


def _forge(entry: Path, payload: bytes) -> None:
    """Write `payload` as `entry`'s data under its own key, with a checksum
    that holds: what someone who read cache.py can commit."""
    key = entry.read_bytes().partition(b"\n")[0]
    entry.write_bytes(b"\n".join((key, cache_module._checksum(key, payload), payload)))


def _dumps(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _data(entry: Path):
    return json.loads(entry.read_bytes().split(b"\n", 2)[2])


def _edit_payload(data: bytes, old: bytes, new: bytes) -> bytes:
    key, checksum, payload = data.split(b"\n", 2)
    assert old in payload
    return b"\n".join((key, checksum, payload.replace(old, new)))


def _first_int(payload: bytes, number: bytes) -> bytes:
    """The first number in `payload` written as `number`."""
    return re.sub(rb"(?<=[,\[])-?\d+(?=[,\]])", number, payload, count=1)


def _map(value, change):
    """`value` with every scalar passed through `change` (tags kept)."""
    if isinstance(value, list):
        return [v if isinstance(v, str) and v.startswith("\0") else _map(v, change) for v in value]
    return change(value)


def _ints(change):
    return lambda v: change(v) if type(v) is int else v


DAMAGE = {
    "truncated": lambda entry: entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2]),
    "garbage": lambda entry: entry.write_bytes(b"\xff\x00garbage{[" * 50),
    "not json": lambda entry: _forge(entry, b"{[not json"),
    "edited by hand": lambda entry: entry.write_bytes(entry.read_bytes().replace(b'"', b"'", 3)),
    "digits edited by hand": lambda entry: entry.write_bytes(_edit_payload(entry.read_bytes(), b"3", b"4")),
    "an object": lambda entry: _forge(entry, _dumps({"findings": []})),
    "wrong types: ints as strings": lambda entry: _forge(entry, _dumps(_map(_data(entry), _ints(str)))),
    "wrong types: strings as ints": lambda entry: _forge(
        entry, _dumps(_map(_data(entry), lambda v: 5 if type(v) is str else v))),
    "wrong types: bools as ints": lambda entry: _forge(
        entry, _dumps(_map(_data(entry), lambda v: int(v) if type(v) is bool else v))),
    "a field missing": lambda entry: _forge(entry, _dumps(_data(entry)[:-1])),
    "a field too many": lambda entry: _forge(entry, _dumps([*_data(entry), 0])),
    "100,000-deep nesting": lambda entry: _forge(entry, b"[" * 100_000 + b"]" * 100_000),
    "deep nesting in a field": lambda entry: _forge(
        entry, _dumps(_data(entry)).replace(b"[", b"[" + b"[" * 50_000 + b"]" * 50_000 + b",", 1)),
    "huge numbers": lambda entry: _forge(entry, _dumps(_map(_data(entry), _ints(lambda v: 10**30 + v)))),
    "a 5000-digit number": lambda entry: _forge(entry, _first_int(_dumps(_data(entry)), b"9" * 5000)),
    "negative numbers": lambda entry: _forge(entry, _dumps(_map(_data(entry), _ints(lambda v: -v - 1)))),
    "NaN and infinity": lambda entry: _forge(entry, _dumps(_map(_data(entry), _ints(lambda v: float("nan") if v % 2 else float("inf"))))),
    "1e400": lambda entry: _forge(entry, _first_int(_dumps(_data(entry)), b"1e400")),
    "an unknown record": lambda entry: _forge(entry, _dumps(["\0os.system", "echo pwned"])),
}


def _fresh_runs(cache: str) -> None:
    """Drop the run-level entries, so the other levels are asked."""
    for entry in _entries(cache, "runs"):
        entry.unlink()


# Damage that has nothing to change in some kinds of entry: a schedules entry
# holds no number (its one bool, calls_handler, can be damaged), a runs entry
# no bool (test_entries_without_numbers_or_bools keeps that true, so these
# pairs are left out rather than skipped).
_NUMBERS = ("wrong types: ints as strings", "huge numbers", "a 5000-digit number",
            "negative numbers", "NaN and infinity", "1e400")
_NOTHING_TO_CHANGE = {("schedules", d) for d in _NUMBERS} | {("runs", "wrong types: bools as ints")}
_CASES = [pytest.param(kind, damage, id=f"{damage}-{kind}") for damage in DAMAGE
          for kind in ("facts", "runs", "schedules") if (kind, damage) not in _NOTHING_TO_CHANGE]


@pytest.mark.parametrize("kind, damage", sorted(_NOTHING_TO_CHANGE))
def test_entries_without_numbers_or_bools(tmp_path, kind, damage):
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    run(tmp_path, cache)
    entries = _entries(cache, kind)
    sound = [entry.read_bytes() for entry in entries]
    for entry in entries:
        DAMAGE[damage](entry)
    assert entries and [entry.read_bytes() for entry in entries] == sound


@pytest.mark.parametrize("kind, damage", _CASES)
def test_a_damaged_or_forged_entry_is_discarded(tmp_path, kind, damage):
    write(tmp_path, PROJECT)
    expected = run(tmp_path)
    cache = str(tmp_path / ".batchlint_cache")
    assert run(tmp_path, cache) == expected
    entries = _entries(cache, kind)
    assert entries
    sound = [entry.read_bytes() for entry in entries]
    for entry in entries:
        DAMAGE[damage](entry)
    assert [entry.read_bytes() for entry in entries] != sound, "the damage changed nothing"
    if kind != "runs":
        _fresh_runs(cache)
    result = run(tmp_path, cache)  # no traceback, and the same answer
    assert result == expected
    assert run(tmp_path, cache) == expected  # what it stored instead is sound


def test_a_forged_entry_that_validates_is_used(tmp_path):
    """The residual risk the docs name: right key, right checksum, right types.
    This shows the forging helper above writes entries the cache accepts, so
    the cases above fail for their damage, not for a bad checksum."""
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    assert run(tmp_path, cache).findings
    (entry,) = _entries(cache, "runs")
    data = _data(entry)
    data[1] = []  # no findings
    _forge(entry, _dumps(data))
    assert run(tmp_path, cache).findings == ()


def _change(root: Path) -> None:
    """Another state of the tree: a new loop in jobs.py, the workflow rescheduled."""
    jobs = root / "jobs.py"
    jobs.write_text(jobs.read_text() + "\n\ndef again(rows):\n    for r in rows:\n        ask(r)\n")
    workflow = root / ".github/workflows/nightly.yml"
    workflow.write_text(workflow.read_text().replace("0 3 * * *", "30 4 * * *"))


@pytest.mark.parametrize("kind", ["facts", "runs", "schedules"])
def test_one_state_s_entry_copied_over_another_s_is_discarded(tmp_path, kind):
    write(tmp_path, PROJECT)
    cache = str(tmp_path / ".batchlint_cache")
    run(tmp_path, cache)
    before = {entry.name: entry.read_bytes() for entry in _entries(cache, kind)}
    _change(tmp_path)
    expected = run(tmp_path)
    assert run(tmp_path, cache) == expected
    now = {entry.name for entry in _entries(cache, kind)}
    new = [entry for entry in _entries(cache, kind) if entry.name not in before]
    # the old entries the change replaced (facts: jobs.py's; runs are kept, any will do)
    replaced = [data for name, data in before.items() if name not in now] or list(before.values())
    assert new
    for entry in new:  # an old state's entry under the new key's name
        entry.write_bytes(replaced[0])
    if kind != "runs":
        _fresh_runs(cache)
    assert run(tmp_path, cache) == expected


def test_a_file_s_facts_copied_over_another_file_s_are_discarded(tmp_path):
    write(tmp_path, PROJECT)
    expected = run(tmp_path)
    cache = str(tmp_path / ".batchlint_cache")
    run(tmp_path, cache)
    entries = _entries(cache, "facts")
    assert len(entries) == 3
    llm = next(e for e in entries if b"llm.py" in e.read_bytes())
    for entry in entries:
        if entry != llm:
            entry.write_bytes(llm.read_bytes())
    _fresh_runs(cache)
    assert run(tmp_path, cache) == expected


def test_forged_facts_of_another_file_are_discarded(tmp_path):
    """Right key and checksum, right types, but the facts name another file."""
    write(tmp_path, PROJECT)
    expected = run(tmp_path)
    cache = str(tmp_path / ".batchlint_cache")
    run(tmp_path, cache)
    entries = _entries(cache, "facts")
    llm = next(e for e in entries if b'"llm.py"' in e.read_bytes())
    for entry in entries:
        if entry != llm:
            _forge(entry, _dumps(_data(llm)))
    _fresh_runs(cache)
    assert run(tmp_path, cache) == expected
