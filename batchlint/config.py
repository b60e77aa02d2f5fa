"""`[tool.batchlint]` in pyproject.toml: loading and validation.

The file is parsed as TOML data only; nothing in it is imported or executed.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass

from .boundary import MAX_NUMBER


def toml_parser():
    """tomllib (tomli before 3.11), imported when a TOML file is read: with no
    pyproject.toml in reach, a run never pays for it."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10
        import tomli as tomllib
    return tomllib


DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pants.d", ".pytest_cache",
    ".ruff_cache", ".batchlint_cache", ".svn", ".tox", ".venv", "__pypackages__", "_build",
    "buck-out", "build", "dist", "node_modules", "site-packages", "venv", "__pycache__",
)

_CODE = re.compile(r"^BL[0-9]{0,3}$")


def known_selector(code: str) -> bool:
    from .rules import BY_CODE

    return bool(_CODE.match(code)) and any(known.startswith(code) for known in BY_CODE)


class ConfigError(Exception):
    """A user-fixable problem in the configuration; the message names file and key."""


@dataclass(frozen=True)
class Config:
    root: str = "."
    source: str = ""  # the file the settings came from, "" for defaults
    select: tuple[str, ...] = ("BL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    client_factories: tuple[str, ...] = ()
    batch_contexts: tuple[str, ...] = ()
    interactive_contexts: tuple[str, ...] = ()
    strict: bool = False  # every Claude call must be classified or declared realtime
    pricing: tuple = ()  # [tool.batchlint.pricing], validated, as sorted items
    savings: tuple = ()  # [tool.batchlint.savings], validated, as sorted items
    runtime_module: str = ""  # where `fix` writes the batch runtime ("pkg.mod"); "" for beside the package
    project_root: str = ""  # absolute; "" to find it from the root markers (project_root.py)
    include_tests: bool = False  # report findings in test code (project_root.is_test_path)

    def code_enabled(self, code: str, path: str = "") -> bool:
        if not _longest_prefix_wins(code, self.select, self.ignore):
            return False
        if path and self.per_file_ignores:
            # patterns are relative to the project root (the pyproject.toml's folder)
            rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
            for pattern, codes in self.per_file_ignores:
                if _path_matches(rel, pattern) and any(code.startswith(c) for c in codes):
                    return False
        return True


def _longest_prefix_wins(code: str, select, ignore) -> bool:
    """ruff's and flake8's rule: the most specific matching prefix decides,
    and `ignore` wins a tie (`--select BL101 --ignore BL101` reports nothing)."""
    best_select = max((len(p) for p in select if code.startswith(p)), default=-1)
    best_ignore = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return best_select >= 0 and best_select > best_ignore


def _path_matches(path: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    path = path.replace(os.sep, "/").lstrip("./") if path.startswith("./") else path.replace(os.sep, "/")
    if fnmatchcase(path, pattern):
        return True
    if "/" not in pattern:
        return fnmatchcase(path.rpartition("/")[2], pattern)
    return fnmatchcase(path, pattern.rstrip("/") + "/*")


# a dotted name whose parts may hold fnmatch's `*` and `?`
_DOTTED = re.compile(r"[A-Za-z_*?][A-Za-z0-9_*?]*(\.[A-Za-z_*?][A-Za-z0-9_*?]*)*")

_KEYS = {
    "select": "codes",
    "ignore": "codes",
    "extend-select": "codes",
    "exclude": "strings",
    "extend-exclude": "strings",
    "per-file-ignores": "table",
    "client-factories": "dotted",
    "batch-contexts": "dotted",
    "interactive-contexts": "dotted",
    "pricing": "pricing",
    "savings": "savings",
    "strict": "bool",
    "runtime-module": "module",
    "project-root": "path",
    "include-tests": "bool",
}

_PRICE_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
_SAVINGS_NUMBERS = ("items-per-run", "output-fill", "chars-per-token", "dynamic-input-tokens", "default-max-tokens")
_CONTEXT_KINDS = ("scheduled", "worker", "offline", "loop", "fan-out")


def find_config(start: str) -> str | None:
    """The nearest pyproject.toml with a [tool.batchlint] table, from start upward."""
    current = os.path.abspath(start)
    if os.path.isfile(current):
        current = os.path.dirname(current)
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as handle:
                    if b"[tool.batchlint" in handle.read():
                        return candidate
            except OSError:
                pass
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def load_config(path: str | None) -> Config:
    if path is None:
        return Config(root=os.getcwd())
    tomllib = toml_parser()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table ([tool.batchlint])")
    table = tool.get("batchlint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.batchlint] must be a table")
    return config_from_table(table, path)


def config_from_table(table: dict, source: str) -> Config:
    values: dict = {}
    for key, value in table.items():
        kind = _KEYS.get(key)
        if kind is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{source}: unknown key `{key}` in [tool.batchlint] (known keys: {known})")
        values[key] = _validate(source, key, kind, value)
    select = tuple(values.get("select", ("BL",))) + tuple(values.get("extend-select", ()))
    return Config(
        root=os.path.dirname(os.path.abspath(source)),
        source=source,
        select=select,
        ignore=tuple(values.get("ignore", ())),
        exclude=tuple(values.get("exclude", DEFAULT_EXCLUDE)),
        extend_exclude=tuple(values.get("extend-exclude", ())),
        per_file_ignores=tuple(values.get("per-file-ignores", ())),
        client_factories=tuple(values.get("client-factories", ())),
        batch_contexts=tuple(values.get("batch-contexts", ())),
        interactive_contexts=tuple(values.get("interactive-contexts", ())),
        strict=values.get("strict", False),
        pricing=values.get("pricing", ()),
        savings=values.get("savings", ()),
        runtime_module=values.get("runtime-module", ""),
        # relative to the configuration file's folder
        project_root=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source)), values["project-root"]))
        if "project-root" in values else "",
        include_tests=values.get("include-tests", False),
    )


def _validate(source: str, key: str, kind: str, value):
    where = f"{source}: [tool.batchlint] `{key}`"
    if kind in ("strings", "codes", "dotted"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where} must be a list of non-empty strings")
        if kind == "dotted":
            for pattern in value:
                if not _DOTTED.fullmatch(pattern):
                    raise ConfigError(f"{where}: `{pattern}` is not a dotted name (like \"myapp.llm.get_client\"; "
                                      "`*` and `?` may stand for characters)")
            return tuple(value)
        if kind == "codes":
            for code in value:
                if not known_selector(code):
                    raise ConfigError(f"{where}: `{code}` is not a batchlint code or prefix (BL, BL1, BL101, ...; see `batchlint rules`)")
        return tuple(value)
    if kind == "table":
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table of glob = [codes]")
        out = []
        for pattern, codes in value.items():
            if not isinstance(codes, list) or not all(isinstance(c, str) and known_selector(c) for c in codes):
                raise ConfigError(f"{where}: `{pattern}` must map to a list of codes like [\"BL101\"]")
            out.append((pattern, tuple(codes)))
        return tuple(out)
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false")
        return value
    if kind == "path":
        if not isinstance(value, str) or not value or "\0" in value:
            raise ConfigError(f"{where} must be a folder path (relative to this file), like \".\" or \"..\"")
        return value
    if kind == "module":
        if not isinstance(value, str) or not all(part.isidentifier() for part in value.split(".")):
            raise ConfigError(f"{where} must be a dotted module name like \"mypkg._claude_batch\"")
        return value
    if kind == "pricing":
        return _validate_pricing(where, value)
    if kind == "savings":
        return _validate_savings(where, value)
    raise AssertionError(kind)


def _positive(where: str, key: str, value, nonzero: bool = False) -> float:
    """A finite number in [0, MAX_NUMBER] (above 0 when `nonzero`): inf, nan
    and 400-digit integers would make estimates infinite or overflow."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or (nonzero and value == 0):
        raise ConfigError(f"{where}: `{key}` must be a {'positive' if nonzero else 'non-negative'} number")
    if value == float("inf"):
        raise ConfigError(f"{where}: `{key}` must be a finite number")
    if value > MAX_NUMBER:  # checked before float(), which a 400-digit int overflows
        raise ConfigError(f"{where}: `{key}` must be at most {MAX_NUMBER:,}")
    return float(value)


def _validate_pricing(where: str, value) -> tuple:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    out = {}
    for key, item in value.items():
        if key == "default-model":
            if not isinstance(item, str) or not item:
                raise ConfigError(f"{where}: `default-model` must be a model id string")
            out[key] = item
        elif key == "models":
            if not isinstance(item, dict):
                raise ConfigError(f"{where}: `models` must be a table of model ids")
            models = {}
            for model, fields in item.items():
                if not isinstance(fields, dict) or not {"input", "output"} <= set(fields):
                    raise ConfigError(f"{where}: model `{model}` needs at least `input` and `output` (USD per million tokens)")
                clean = {}
                for name, number in fields.items():
                    if name in _PRICE_FIELDS:
                        clean[name] = _positive(where, f"models.{model}.{name}", number)
                    elif name in ("line", "generation") and isinstance(number, str):
                        clean[name] = number
                    else:
                        raise ConfigError(f"{where}: unknown field `{name}` for model `{model}` (known: {', '.join(_PRICE_FIELDS)}, line, generation)")
                models[model] = clean
            out[key] = models
        else:
            raise ConfigError(f"{where}: unknown key `{key}` (known: default-model, models)")
    if "default-model" in out:
        from .savings.pricing import shipped_models  # here: pricing reads its table with this module's parser

        known = shipped_models() | set(out.get("models", {}))
        model = out["default-model"]
        if model not in known:
            close = difflib.get_close_matches(model, sorted(known), n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise ConfigError(f"{where}: `default-model` `{model}` is not in the price table ({hint}see "
                              "`batchlint models`, or give its prices under [tool.batchlint.pricing.models])")
    return tuple(sorted(out.items()))


def _validate_savings(where: str, value) -> tuple:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    out = {}
    for key, item in value.items():
        if key in _SAVINGS_NUMBERS:
            out[key] = _positive(where, key, item, nonzero=key == "chars-per-token")  # a divisor
        elif key == "runs-per-month":
            if not isinstance(item, dict) or not set(item) <= set(_CONTEXT_KINDS):
                raise ConfigError(f"{where}: `runs-per-month` must be a table with keys among {', '.join(_CONTEXT_KINDS)}")
            out[key] = tuple(sorted((k, _positive(where, f"runs-per-month.{k}", v)) for k, v in item.items()))
        else:
            raise ConfigError(f"{where}: unknown key `{key}` (known: runs-per-month, {', '.join(_SAVINGS_NUMBERS)})")
    return tuple(sorted(out.items()))


def with_overrides(config: Config, **overrides) -> Config:
    from dataclasses import replace

    clean = {k: v for k, v in overrides.items() if v is not None}
    for key in ("select", "ignore"):
        if key in clean:
            for code in clean[key]:
                if not known_selector(code):
                    raise ConfigError(f"--{key}: `{code}` is not a batchlint code or prefix (BL, BL1, BL101, ...; see `batchlint rules`)")
    return replace(config, **clean)
