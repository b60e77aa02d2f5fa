"""Schedules declared outside Python: what starts a script on a timer.

Read (never run): GitHub Actions workflows (`on: schedule: - cron:`), GitLab CI
jobs run by pipeline schedules, Kubernetes CronJobs (manifests and Helm
templates), crontab files, systemd timers with their services, serverless.yml
and SAM schedule events, Procfile `clock:` processes, Cloud Scheduler jobs
in deploy scripts (external_gcloud.py), and Render and Railway cron jobs
(external_platforms.py). Each yields plain
ExternalSchedule values: a schedule expression, the command (or handler) it
runs, and where it is declared. YAML is parsed with PyYAML when it is
installed (an optional dependency); without it, YAML files are skipped with
one notice.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .discovery import FileTooLarge, display_path, read_regular_file
from .external_entry import EntryPoint, console_scripts, entry_point  # noqa: F401 - imported from here
from .external_gcloud import read_gcloud
from .external_platforms import read_railway, read_render
from .yamlshape import Refused, as_dict, as_list, bounded

# PyYAML is optional (`pip install batchlint[yaml]`) and imported only when a
# YAML schedule file is actually parsed: a warm run never needs it.
# None: not installed; `...`: installed, not imported yet; else the module.
yaml = None if importlib.util.find_spec("yaml") is None else ...


def _yaml():
    global yaml
    if yaml is ...:
        import yaml as module

        yaml = module
    return yaml


@dataclass(frozen=True)
class ExternalSchedule:
    schedule: str  # cron expression, "rate(1 hour)", "@daily", or "" when not written there
    command: str  # the command line, or "" for a handler
    handler: str  # Lambda-style "module.function" (serverless, SAM), else ""
    source: str  # "path:line" of the declaration
    kind: str  # "GitHub Actions workflow", "Kubernetes CronJob", "crontab", ...
    base_dir: str = ""  # where the command runs / the handler's path starts ("" when the declaration does not say)
    calls_handler: bool = False  # it calls a web handler (Cloud Scheduler -> an HTTP function): nobody waits on it


_MAX_BYTES = 1024 * 1024
_CRONTAB_LINE = re.compile(r"^\s*((?:@\w+)|(?:\S+\s+){4}\S+)\s+(.+?)\s*$")
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _line_of(text: str, needle: str, start: int = 0) -> int:
    index = text.find(needle, start)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


# Bytes a file must hold to declare a schedule, tested before decoding or parsing.
_NEEDLES = {"k8s": b"CronJob", "github": b"cron", "gitlab": b"schedule", "gcloud": b"gcloud scheduler",
            "render": b"cron", "railway": b"cronSchedule"}


def _read(path: str, needle: bytes = b"", follow_links: bool = True) -> str:
    """The file's text; "" when unreadable, not a regular file, over the size
    limit, or (given a needle) not holding it. The needle is tested on bytes,
    before decoding: eval harnesses ship thousands of YAML configs, few of
    them CronJobs."""
    try:
        data = read_regular_file(path, _MAX_BYTES, follow_links)
    except FileTooLarge:
        raise  # a schedule file so large is skipped with a notice (read_schedules)
    except OSError:
        return ""
    if needle and needle not in data:
        return ""
    text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text  # as text mode reads it


def schedules_readable() -> bool:
    """Whether YAML schedule files can be read here (PyYAML is optional)."""
    return yaml is not None


def schedule_file_kind(rel: str, name: str) -> str:
    """Which reader a file needs, or "" (called by discovery for non-Python files)."""
    rel = rel.replace(os.sep, "/")
    if ".github/workflows/" in rel and (fnmatchcase(rel, "*.github/workflows/*.y*ml") or fnmatchcase(rel, ".github/workflows/*.y*ml")):
        return "github"
    if name == ".gitlab-ci.yml":
        return "gitlab"
    if name in ("serverless.yml", "serverless.yaml"):
        return "serverless"
    if name in ("template.yaml", "template.yml"):
        return "sam"
    if name == "Procfile":
        return "procfile"
    if name == "crontab" or name.endswith((".cron", ".crontab")) or "/cron.d/" in f"/{rel}":
        return "crontab"
    if name.endswith(".timer"):
        return "systemd"
    if name in ("render.yaml", "render.yml"):
        return "render"
    if name.endswith((".yaml", ".yml")):
        return "k8s"
    if name.endswith((".sh", ".bash")) or name == "Makefile":
        return "gcloud"
    if name in ("railway.json", "railway.toml"):
        return "railway"
    return ""


def read_schedules(files: list[tuple[str, str]]) -> tuple[list[ExternalSchedule], list[str]]:
    """(schedules, notices) from the files discovery found, as (path, kind) pairs
    with kinds from schedule_file_kind."""
    out: list[ExternalSchedule] = []
    skipped_yaml = 0
    notices = []
    for path, reader in files:
        # a file that cannot be read as its kind costs its own schedules, one notice, never the run
        try:
            text = _read(path, _NEEDLES.get(reader, b""))
            if not text:
                continue
            if yaml is None and reader in ("github", "gitlab", "serverless", "sam", "render"):
                skipped_yaml += 1
                continue
            out += _READERS[reader](text, display_path(path), os.path.dirname(path))
        except FileTooLarge as exc:
            notices.append(f"batchlint: note: {display_path(path)}: schedule file skipped: {exc.size:,} bytes is "
                           f"over the {_MAX_BYTES // 1024 // 1024} MiB limit")
        except Refused as exc:
            notices.append(f"batchlint: note: {display_path(path)}: schedule file skipped: {exc}")
        except Exception as exc:  # noqa: BLE001 - a shape no reader expected (or a bug of ours)
            notices.append(f"batchlint: note: {display_path(path)}: schedule file skipped: cannot read it "
                           f"({type(exc).__name__}: {exc})")
    if skipped_yaml:
        notices.append(f"batchlint: note: {skipped_yaml} YAML schedule file(s) skipped: install PyYAML (`pip install batchlint[yaml]`) to read workflows, serverless.yml, SAM templates and render.yaml")
    return out, notices


def _yaml_documents(text: str) -> list:
    lib = _yaml()
    if lib is None:
        return []
    try:
        loader = getattr(lib, "CSafeLoader", lib.SafeLoader)  # libyaml's parser when PyYAML has it
        docs = list(lib.load_all(text, Loader=loader))
    except (lib.YAMLError, RecursionError):  # not YAML, or nested too deep for the pure-Python loader
        return []
    bounded(docs)
    return [d for d in docs if isinstance(d, dict)]


# ----------------------------------------------------------------- readers
def _github(text: str, path: str, base: str) -> list[ExternalSchedule]:
    out = []
    for doc in _yaml_documents(text):
        triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on:` as True
        crons = []
        if isinstance(triggers, dict) and isinstance(triggers.get("schedule"), list):
            # a cron that is not a string (`cron: 5`) is not one GitHub runs
            crons = [entry.get("cron") for entry in triggers["schedule"] if isinstance(entry, dict) and isinstance(entry.get("cron"), str) and entry.get("cron")]
        if not crons:
            continue
        root = _checkout_root(base)
        for job in as_dict(doc.get("jobs")).values():
            job = as_dict(job)
            for step in as_list(job.get("steps")):
                run = step.get("run") if isinstance(step, dict) else None
                if isinstance(run, str):
                    folder = _working_directory(step.get("working-directory"), _run_default(job), _run_default(doc))
                    start = os.path.join(root, folder) if root and folder is not None else ""
                    for command, here in _commands_in(run, start):
                        for cron in crons:
                            out.append(ExternalSchedule(cron, command, "", f"{path}:{_line_of(text, cron)}", "GitHub Actions workflow", base_dir=here))
    return out


def _run_default(holder: dict):
    """`defaults: run: working-directory:` of a job or a workflow, or None."""
    run = (holder.get("defaults") or {}).get("run") if isinstance(holder.get("defaults"), dict) else None
    return run.get("working-directory") if isinstance(run, dict) else None


def _gitlab(text: str, path: str, base: str) -> list[ExternalSchedule]:
    out = []
    for doc in _yaml_documents(text):
        for name, job in doc.items():
            if not isinstance(job, dict) or "script" not in job:
                continue
            rules = as_list(job.get("rules"))
            only = as_list(job.get("only"))
            scheduled = any(isinstance(r, dict) and "schedule" in str(r.get("if", "")) for r in rules) or "schedules" in only
            if not scheduled:
                continue
            script = job["script"] if isinstance(job["script"], list) else [job["script"]]
            # one shell runs the lines in turn, from the checkout (the folder of .gitlab-ci.yml)
            for command, here in _commands_in("\n".join(str(line) for line in script), base):
                # the cron of a GitLab pipeline schedule lives in the project settings, not the file
                out.append(ExternalSchedule("", command, "", f"{path}:{_line_of(text, str(name) + ':')}", "GitLab pipeline schedule",
                                            base_dir=here))
    return out


def _k8s(text: str, path: str, base: str) -> list[ExternalSchedule]:
    docs = _yaml_documents(text)
    out = []
    for doc in docs:
        if doc.get("kind") != "CronJob":
            continue
        spec = as_dict(doc.get("spec"))
        schedule = str(spec.get("schedule", ""))
        pod = as_dict(as_dict(as_dict(as_dict(spec.get("jobTemplate")).get("spec")).get("template")).get("spec"))
        for container in as_list(pod.get("containers")):
            container = as_dict(container)
            command = [*as_list(container.get("command")), *as_list(container.get("args"))]
            if command:
                line = " ".join(str(part) for part in command)
                for single in _commands(line) if len(command) >= 3 and command[0] in ("sh", "/bin/sh", "bash", "/bin/bash") else [line]:
                    out.append(ExternalSchedule(schedule, single, "", f"{path}:{_line_of(text, 'schedule')}", "Kubernetes CronJob"))
    if out or not docs and "CronJob" in text:
        return out or _k8s_template(text, path)
    return out


def _k8s_template(text: str, path: str) -> list[ExternalSchedule]:
    """Helm templates are not YAML until rendered: read the two lines that matter."""
    schedule = re.search(r"""^\s*schedule:\s*["']?([^"'\n{]+?)["']?\s*$""", text, re.M)
    out = []
    for match in re.finditer(r"^\s*(?:command|args):\s*(\[.*\])\s*$", text, re.M):
        parts = re.findall(r"""["']([^"']+)["']""", match.group(1))
        if parts:
            out.append(ExternalSchedule(schedule.group(1).strip() if schedule else "", " ".join(parts), "",
                                        f"{path}:{_line_of(text, 'schedule')}", "Kubernetes CronJob (Helm template)"))
    return out


def _crontab(text: str, path: str, base: str) -> list[ExternalSchedule]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or _ENV_ASSIGNMENT.match(line):
            continue
        match = _CRONTAB_LINE.match(line)
        if not match:
            continue
        when, rest = match.group(1), match.group(2)
        if "/cron.d/" in f"/{path}":
            # system crontabs (cron.d) name the user to run as before the command
            first, _, after = rest.partition(" ")
            if after and not _looks_like_program(first) and not first.startswith(("/", ".")) and "=" not in first:
                rest = after
        for command in _commands(rest):
            out.append(ExternalSchedule(when, command, "", f"{path}:{number}", "crontab"))
    return out


def _looks_like_program(word: str) -> bool:
    return word.startswith(("python", "cd", "uv", "poetry", "pipenv", "bash", "sh", "flock", "timeout", "nice"))


_CALENDAR = {"minutely": "* * * * *", "hourly": "@hourly", "daily": "@daily", "weekly": "@weekly",
             "monthly": "@monthly", "yearly": "@yearly", "annually": "@yearly"}
_DAYS = {"mon": "1", "tue": "2", "wed": "3", "thu": "4", "fri": "5", "sat": "6", "sun": "0"}


def oncalendar_to_cron(value: str) -> str:
    """systemd OnCalendar= to cron, for the common shapes; "" when unreadable."""
    value = value.strip().lower()
    if value in _CALENDAR:
        return _CALENDAR[value]
    match = re.match(r"^(?:([a-z,.\-]+)\s+)?(?:\*-\*-\*|\*-\*-(\d+))\s+(\*|\d+):(\*|\d+)(?::\d+)?$", value)
    if not match:
        return ""
    days, dom, hour, minute = match.groups()
    dow = "*"
    if days:
        dow = ",".join(_DAYS.get(d[:3], "*") for d in re.split(r"[,]", days) if d)
        if days.count("..") > 1:
            return ""  # `Mon..Tue..Wed` is no range systemd reads either
        if ".." in days:
            low, high = days.split("..")
            dow = f"{_DAYS.get(low[:3], '1')}-{_DAYS.get(high[:3], '5')}"
    return f"{minute if minute != '*' else '*'} {hour} {dom or '*'} * {dow}"


# A unit name as systemd spells one: no path separator, no leading dot.
_UNIT_NAME = re.compile(r"^[A-Za-z0-9_:@-][A-Za-z0-9_:@.-]*$")


def _systemd(text: str, path: str, base: str) -> list[ExternalSchedule]:
    calendar = re.search(r"^\s*OnCalendar\s*=\s*(.+?)\s*$", text, re.M)
    unit = re.search(r"^\s*Unit\s*=\s*(.+?)\s*$", text, re.M)
    service_name = unit.group(1) if unit else os.path.basename(path)[: -len(".timer")] + ".service"
    if not _UNIT_NAME.match(service_name):
        return []  # `Unit=/etc/passwd`, `../x.service`: not a unit beside the timer, never opened
    # the service file beside the timer, itself, not what a link there points to
    service = _read(os.path.join(base, service_name), follow_links=False)
    out = []
    for match in re.finditer(r"^\s*ExecStart\s*=\s*-?(.+?)\s*$", service, re.M):
        for command in _commands(match.group(1)):
            schedule = oncalendar_to_cron(calendar.group(1)) if calendar else ""
            out.append(ExternalSchedule(schedule, command, "", f"{path}:{_line_of(text, 'OnCalendar')}", "systemd timer"))
    return out


def _serverless(text: str, path: str, base: str) -> list[ExternalSchedule]:
    out = []
    for doc in _yaml_documents(text):
        for fn in as_dict(doc.get("functions")).values():
            if not isinstance(fn, dict) or "handler" not in fn:
                continue
            for event in as_list(fn.get("events")):
                schedule = event.get("schedule") if isinstance(event, dict) else None
                if isinstance(schedule, dict):
                    schedule = schedule.get("rate")
                if isinstance(schedule, list):
                    schedule = schedule[0] if schedule else None
                if schedule:
                    # handlers are paths from the service's folder
                    out.append(ExternalSchedule(str(schedule), "", str(fn["handler"]), f"{path}:{_line_of(text, str(fn['handler']))}",
                                                "serverless.yml schedule event", base_dir=base))
    return out


def _sam(text: str, path: str, base: str) -> list[ExternalSchedule]:
    out = []
    for doc in _yaml_documents(text):
        for resource in as_dict(doc.get("Resources")).values():
            props = as_dict(as_dict(resource).get("Properties"))
            handler = props.get("Handler")
            if not handler:
                continue
            for event in as_dict(props.get("Events")).values():
                if isinstance(event, dict) and event.get("Type") in ("Schedule", "ScheduleV2"):
                    expr = as_dict(event.get("Properties")).get("Schedule") or as_dict(event.get("Properties")).get("ScheduleExpression", "")
                    code_uri = props.get("CodeUri") if isinstance(props.get("CodeUri"), str) else ""
                    out.append(ExternalSchedule(str(expr), "", str(handler), f"{path}:{_line_of(text, str(handler))}",
                                                "SAM schedule event", base_dir=os.path.join(os.path.dirname(path), code_uri or "")))
    return out


def _procfile(text: str, path: str, base: str) -> list[ExternalSchedule]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        kind, _, command = line.partition(":")
        if kind.strip() == "clock":
            # a Procfile's processes start in the app's folder, the Procfile's own
            for single, here in _commands_in(command, base):
                out.append(ExternalSchedule("", single, "", f"{path}:{number}", "Procfile clock process", base_dir=here))
    return out


def _gcloud(text: str, path: str, base: str) -> list[ExternalSchedule]:
    # Cloud Functions' Python runtime loads the entry point from main.py in the source folder
    return [ExternalSchedule(schedule, "", f"main.{entry}", where, "Cloud Scheduler job", base_dir=folder, calls_handler=True)
            for schedule, entry, folder, where in read_gcloud(text, path, base)]


def _platform(found: list[tuple[str, str, str, str, str]], text: str, path: str) -> list[ExternalSchedule]:
    """A platform's cron jobs (external_platforms.py): each single command, where it starts."""
    return [ExternalSchedule(schedule, single, "", f"{path}:{_line_of(text, marker)}", kind, base_dir=here)
            for schedule, command, marker, kind, start in found for single, here in _commands_in(command, start)]


def _render(text: str, path: str, base: str) -> list[ExternalSchedule]:
    # a Docker service's Dockerfile is read as a systemd timer's service is: inside the tree, never through a link
    return _platform(read_render(_yaml_documents(text), base, _beside), text, path)


def _beside(path: str) -> str:
    """A file a schedule file names beside it (a Dockerfile): its text, never
    through a link at `path`; "" if unreadable or over the size limit."""
    try:
        return _read(path, follow_links=False)
    except FileTooLarge:
        return ""


def _railway(text: str, path: str, base: str) -> list[ExternalSchedule]:
    return _platform(read_railway(text, path, base), text, path)


_READERS = {
    "github": _github, "gitlab": _gitlab, "k8s": _k8s, "crontab": _crontab, "systemd": _systemd,
    "serverless": _serverless, "sam": _sam, "procfile": _procfile, "gcloud": _gcloud, "render": _render,
    "railway": _railway,
}


# ---------------------------------------------------------------- commands
def _shell_parts(script: str) -> list[str]:
    """A shell snippet split on newlines, `&&`, `;`, `|`, redirections dropped."""
    out = []
    for line in script.replace("\\\n", " ").splitlines():
        for part in re.split(r"&&|\|\||;|\|", line):
            part = re.sub(r"\s\d?>>?\s*\S+", " ", part)  # >> /var/log/x.log 2>&1
            part = re.sub(r"\s\d?>&\d", " ", part).strip()
            if part:
                out.append(part)
    return out


def _is_command(part: str) -> bool:
    return not part.startswith(("cd ", "#", "echo ", "export ")) and part != "cd"


def _commands(script: str) -> list[str]:
    """Single commands from a shell snippet; `cd`, comments, `echo` and
    `export` dropped."""
    return [part for part in _shell_parts(script) if _is_command(part)]


def _commands_in(script: str, start: str) -> list[tuple[str, str]]:
    """`_commands`, each with the directory it runs in: `start` (where the
    snippet starts, "" if unknown), changed by each relative `cd` before it.
    A `cd` to anything else (`$DIR`, `~`, `-`, an absolute path inside a
    container) makes the directory unknown from there on."""
    out = []
    here = start
    for part in _shell_parts(script):
        if part == "cd" or part.startswith("cd "):
            target = part[2:].strip().strip("'\"")
            plain = target and not target.startswith(("$", "~", "-", "/", "\\")) and not re.search(r"[$`*]", target)
            here = os.path.normpath(os.path.join(here, target)) if here and plain else ""
        elif _is_command(part):
            out.append((part, here))
    return out


def _checkout_root(base: str) -> str:
    """The repository a workflow in `<repo>/.github/workflows/` runs its
    steps in (its checkout), or "" for a file elsewhere."""
    parent = os.path.dirname(base)
    if os.path.basename(base) == "workflows" and os.path.basename(parent) == ".github":
        return os.path.dirname(parent) or "."
    return ""


def _working_directory(*settings) -> str | None:
    """The innermost `working-directory` of a step, its job's and the
    workflow's `defaults.run`: "" for none, None for one set by an expression."""
    for setting in settings:
        if setting is None:
            continue
        value = str(setting)
        return None if "${{" in value else value
    return ""
