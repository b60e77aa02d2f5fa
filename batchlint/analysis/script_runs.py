"""Scripts a program runs as child processes.

    for job_dir in job_dirs:
        subprocess.run([sys.executable, "scripts/archive_one.py", job_dir], check=True)

runs `archive_one.py` (its module-level code, `__main__` block included) once per item: its one Claude call is
a loop's, as if the loop called its `main()`. The index notes the script a
`subprocess` / `os.system` call names with a written path (`"x.py"`) or module
(`-m pkg.mod`); the chain walk (chain_walk.py) follows a script's `__main__`
block to the calls that run it. A path computed at run time is not followed.
"""

from __future__ import annotations

import ast
import os
import posixpath
import shlex
from typing import TYPE_CHECKING

from .astwalk import str_value

if TYPE_CHECKING:
    from .project import Edge, Project

RUNS_SCRIPT = "runs-script:"  # site flag: "runs-script:path:<x.py>" or "runs-script:module:<pkg.mod>"
_RUNNERS = frozenset({
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen",
    "os.system", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
})


SCRIPT_RUNNER_NAMES = frozenset(name.rpartition(".")[2] for name in _RUNNERS)


def script_path(value: ast.expr) -> str:
    """The `.py` path a module-level name is given: written, or the last part
    of a path built from the running file (`Path(__file__).parent / "job.py"`,
    `os.path.join(HERE, "job.py")`)."""
    if not isinstance(value, (ast.Constant, ast.BinOp, ast.Call)):
        return ""
    parts = [node.value for node in ast.walk(value)
             if isinstance(node, ast.Constant) and type(node.value) is str and node.value.endswith(".py")]
    return parts[-1] if len(parts) == 1 else ""


def script_run(call: ast.Call, callee: str, script_paths: dict[str, str]) -> str:
    """The flag for a call that runs a project script, or "". `script_paths`:
    the file's module-level names holding a script's path (script_path)."""
    if callee not in _RUNNERS or not call.args:
        return ""

    def spelled(node: ast.expr) -> str | None:
        if isinstance(node, ast.Call) and len(node.args) == 1 and isinstance(node.func, (ast.Name, ast.Attribute)):
            node = node.args[0]  # `str(JOB)`, `os.fspath(JOB)`
        return script_paths.get(node.id) if isinstance(node, ast.Name) else str_value(node)

    first = call.args[0]
    if isinstance(first, (ast.List, ast.Tuple)):
        words = [spelled(element) for element in first.elts]
    elif callee.startswith("asyncio.create_subprocess_exec"):
        words = [spelled(arg) for arg in call.args]
    else:
        text = _command_text(first)
        try:
            words = shlex.split(text) if text else []
        except ValueError:  # an unbalanced quote in the command
            words = []
    for position, word in enumerate(words):
        if word and word.endswith(".py") and not word.startswith("-"):
            return f"{RUNS_SCRIPT}path:{posixpath.normpath(word.replace(os.sep, '/'))}"
        if word == "-m" and position + 1 < len(words) and words[position + 1]:
            return f"{RUNS_SCRIPT}module:{words[position + 1]}"
    return ""


def _command_text(node: ast.AST) -> str | None:
    """A written command; an f-string's fields stand for one word each."""
    if isinstance(node, ast.JoinedStr):
        return "".join(str_value(part) or "_" for part in node.values)
    return str_value(node)


def script_runners(project: Project) -> dict[str, list[Edge]]:
    """Module name -> the call sites that run that module as a script."""
    from .project import Edge

    by_path = {facts.path.replace(os.sep, "/"): facts.module for facts in project.files}
    out: dict[str, list[Edge]] = {}
    for facts in project.files:
        for site in facts.sites:
            flag = next((f for f in site.flags if f.startswith(RUNS_SCRIPT)), "") if site.flags else ""
            if not flag:
                continue
            kind, _, name = flag[len(RUNS_SCRIPT):].partition(":")
            if kind == "module":  # `-m pkg.job`: that module, or the file its dots spell
                name = name if name in project.modules else name.replace(".", "/") + ".py"
            module = name if name in project.modules else _module_of(name, facts.path.replace(os.sep, "/"), by_path)
            if module in project.modules:
                out.setdefault(module, []).append(Edge(site, facts.path, module, None))
    return out


def _module_of(path: str, caller: str, by_path: dict[str, str]) -> str:
    """The module a written script path names: beside the caller, from the
    project root, or the one project file whose path ends with it."""
    beside = posixpath.normpath(posixpath.join(posixpath.dirname(caller), path))
    for candidate in (beside, path):
        if candidate in by_path:
            return by_path[candidate]
    ends = [module for known, module in by_path.items() if known.endswith("/" + path)]
    return ends[0] if len(ends) == 1 else ""
