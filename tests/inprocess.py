"""Run a test program as `python NAME` would, inside the test process: its
folder first on sys.path and as the working directory, the given environment,
run as __main__, its output captured. A subprocess would also pay for Python
and the anthropic SDK starting up (seconds on a small machine) and prove
nothing more about the rewrite, whose program is the same file either way.

Modules imported from the program's folder (the batch runtime, a helper
module) are dropped afterwards, so the next run imports them afresh."""

from __future__ import annotations

import contextlib
import io
import os
import runpy
import subprocess
import sys
from pathlib import Path


def run_program(path: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    folder = str(path.parent.resolve())
    saved_env, saved_cwd, saved_path, saved_argv = dict(os.environ), os.getcwd(), list(sys.path), list(sys.argv)
    for entry in os.listdir(folder):  # a module of that name from another test's folder would shadow this one
        name = entry[:-3] if entry.endswith(".py") else entry
        if name.isidentifier() and name in sys.modules and not _is_stdlib_or_installed(sys.modules[name]):
            del sys.modules[name]
    before = set(sys.modules)
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(folder)
        sys.path.insert(0, folder)
        sys.argv = [path.name, *args]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                runpy.run_path(str(path), run_name="__main__")
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if not isinstance(exc.code, (int, type(None))):
                    print(exc.code, file=sys.stderr)
            except BaseException:  # noqa: BLE001 - as the interpreter would: traceback on stderr, status 1
                import traceback

                traceback.print_exc()
                status = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        sys.argv = saved_argv
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules.get(name), "__file__", None) or ""
            if module_file.startswith(folder + os.sep):
                del sys.modules[name]
    return subprocess.CompletedProcess([sys.executable, path.name, *args], status, out.getvalue(), err.getvalue())


def _is_stdlib_or_installed(module) -> bool:
    where = getattr(module, "__file__", None) or ""
    return not where or any(where.startswith(p) for p in (sys.prefix, sys.base_prefix)) or "site-packages" in where
