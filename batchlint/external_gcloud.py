"""Cloud Scheduler jobs declared in deploy scripts (`deploy.sh`, a Makefile):
`gcloud scheduler jobs create http JOB --schedule=... --uri=<a function's URL>`
or `... create pubsub JOB --topic=T` with a function deployed `--trigger-topic=T`.

Google Cloud's cron is a scheduler calling a Cloud Function; the function is
an HTTP handler in the code, but nobody waits on it. The script is read as
text, never run: `gcloud` commands (with `\\` continuations), `NAME=value`
assignments and `NAME=$(gcloud functions describe F ...)` (F's URL) are
followed; anything else in the script is ignored.
"""

from __future__ import annotations

import os
import re
import shlex

_ASSIGNMENT = re.compile(r"^\s*(?:local\s+|export\s+|readonly\s+)?([A-Za-z_]\w*)=(.*)$")
_DESCRIBE = re.compile(r"^\$\(\s*gcloud\s+functions\s+describe\s+(\S+)")
_VARIABLE = re.compile(r"\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)")
_FUNCTION_URL = "cloud-function:"  # a variable holding a deployed function's URL


def read_gcloud(text: str, path: str, base: str) -> list[tuple[str, str, str, str]]:
    """(schedule, entry function, source folder or "", "path:line") for each
    Cloud Scheduler job whose target is a Cloud Function deployed by name."""
    variables: dict[str, str] = {}
    deployed: dict[str, tuple[str, str]] = {}  # function name -> (entry point, source folder)
    topics: dict[str, str] = {}  # Pub/Sub topic -> function name
    jobs: list[tuple[str, str, str, int]] = []  # (schedule, "uri" | "topic", target, line)
    for line, command in _lines(text):
        assigned = _ASSIGNMENT.match(command)
        if assigned:
            name, value = assigned.groups()
            describe = _DESCRIBE.match(value.strip())
            if describe:
                variables[name] = _FUNCTION_URL + _expand(describe.group(1).strip("'\""), variables)
            else:
                variables[name] = _expand(_unquote(value), variables)
            continue
        words = _words(command, variables)
        if words[:3] == ["gcloud", "functions", "deploy"] and len(words) > 3:
            flags = _flags(words[4:])
            name = words[3]
            deployed[name] = (flags.get("entry-point", name), flags.get("source", ""))
            if flags.get("trigger-topic"):
                topics[flags["trigger-topic"]] = name
        elif words[:4] == ["gcloud", "scheduler", "jobs", "create"] and len(words) > 5:
            flags = _flags(words[6:])
            if words[4] == "http" and flags.get("uri"):
                jobs.append((flags.get("schedule", ""), "uri", flags["uri"], line))
            elif words[4] == "pubsub" and flags.get("topic"):
                jobs.append((flags.get("schedule", ""), "topic", flags["topic"], line))
    out = []
    here = os.path.dirname(path)
    for schedule, kind, target, line in jobs:
        name = topics.get(target.rpartition("/")[2]) if kind == "topic" else _function_of(target)
        if not name or "$" in name:
            continue
        entry, source = deployed.get(name, (name, ""))
        if "$" in entry:  # deployed through a shell function's arguments: the default entry point
            entry = name
        folder = os.path.normpath(os.path.join(here, source)) if source and "$" not in source else ""
        out.append((schedule, entry, folder, f"{path}:{line}"))
    return out


def _function_of(uri: str) -> str:
    """The Cloud Function a scheduler job's URI calls: a variable set from
    `gcloud functions describe F`, or `https://<region>-<project>.cloudfunctions.net/F`."""
    if uri.startswith(_FUNCTION_URL):
        return uri[len(_FUNCTION_URL):]
    host, _, rest = uri.partition("://")[2].partition("/")
    if host.endswith("cloudfunctions.net") and rest:
        return rest.split("?")[0].strip("/").split("/")[0]
    return ""


def _lines(text: str):
    """(first line number, command) with continuations joined and comments dropped."""
    start, pending = 0, ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = raw.strip()
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        yield start, pending + stripped
        pending = ""
    if pending:
        yield start, pending


def _unquote(value: str) -> str:
    try:
        words = shlex.split(value, comments=True)
    except ValueError:
        return value.strip()
    return words[0] if len(words) == 1 else value.strip()


def _expand(word: str, variables: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        if name in variables:
            return variables[name]
        default = match.group(2)
        return default if default is not None else match.group(0)
    return _VARIABLE.sub(one, word)


def _words(command: str, variables: dict[str, str]) -> list[str]:
    """The command's words, variables expanded; from its `gcloud` on (after
    `if`, `then`, `||`, a `VAR=x` prefix), or [] for any other command."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return []
    if "gcloud" not in words:
        return []
    return [_expand(word, variables) for word in words[words.index("gcloud"):]]


def _flags(words: list[str]) -> dict[str, str]:
    """`--k=v` and `--k v` (the value when it is not another flag)."""
    out: dict[str, str] = {}
    for i, word in enumerate(words):
        if not word.startswith("--"):
            continue
        key, equals, value = word[2:].partition("=")
        if not equals and i + 1 < len(words) and not words[i + 1].startswith("-"):
            value = words[i + 1]
        out.setdefault(key, value)
    return out
