"""Schedules declared outside Python (workflows, crontabs, CronJobs, Procfiles,
Lambda schedules) as contexts: the scripts, modules and functions they run
(a mixin of contexts.Classifier; external.py reads the declarations)."""

from __future__ import annotations

import os

from .context_rules import SCHEDULED, Context
from .facts import FileFacts


class ExternalSchedules:
    """Turns declared schedules into scheduled modules and functions."""

    def _add_external(self, schedules: tuple, scripts: dict) -> None:
        """Workflows, CronJobs, crontabs... name scripts, modules and handlers:
        those become scheduled contexts carrying the declared schedule."""
        from ..external import entry_point

        for declared in schedules:
            point = entry_point(declared, scripts)
            if point is None:
                continue
            schedule = declared.schedule
            cron_like = len(schedule.split()) in (5, 6) and not schedule.startswith(("rate(", "cron("))
            written = f'"{schedule}"' if cron_like else schedule
            when = f"cron `{schedule}`" if cron_like else (f"`{schedule}`" if schedule else "a schedule set outside the code")
            context = Context(SCHEDULED, f"script run on {when} by {declared.kind} {declared.source}", declared.source, written,
                              calls_handler=declared.calls_handler)
            if point.kind in ("script", "module"):
                module = self._module_for_entry(point, declared.base_dir)
                if module is not None:
                    self._scheduled_modules.setdefault(module, context)
                    for qual in self._entry_functions(module):  # `main()` under `__main__`: the job's body
                        self._schedule_function(qual, context)
            else:
                qual = self._function_for_entry(point, declared)
                if qual is not None:
                    self._schedule_function(qual, context)

    def _schedule_function(self, qual: str, script: Context) -> None:
        """The schedule of a script, as the context of one function it runs."""
        label = script.label.replace("script run on", f"`{qual.rpartition('.')[2]}` run on", 1)
        self._registrations.setdefault(qual, []).append(
            Context(SCHEDULED, label, script.where, script.schedule, calls_handler=script.calls_handler))

    def _entry_functions(self, module: str) -> list[str]:
        """The project functions a script's module-level code calls outside any
        loop (`if __name__ == "__main__": main()`, `asyncio.run(main())`): run
        by the schedule that runs the script, as its job."""
        facts = self.project.modules.get(module)
        out: list[str] = []
        for site in facts.sites if facts is not None else ():
            if site.scope != module or site.ref_via or any(s.kind != "main-guard" for s in site.structs):
                continue
            value = self.project.value(site.callee)
            if value is not None and value.kind == "func" and value.name in self.project.functions \
                    and value.name not in out:
                out.append(value.name)
        return out

    def _files_for(self, target: str, base_dir: str, names) -> list[FileFacts]:
        """The parsed files a declaration's path can name (`names(path)` says
        which), best first. Where the declaration says where its command runs
        (`base_dir`: a workflow's checkout and `working-directory`, a `cd`, a
        Lambda's CodeUri), only files under that folder, the one at exactly
        `target` there first: in a tree holding several repositories, the
        `digest.py` a workflow runs is its own repository's, whichever other
        files of that name were parsed. Elsewhere (a crontab, a container's
        command), any file whose path ends so."""
        files = [facts for facts in self.project.files if names(facts.path.replace("\\", "/"))]
        if not base_dir or not files:
            return files
        root = os.path.abspath(base_dir)
        exact = os.path.normpath(os.path.join(root, target))
        inside = [facts for facts in files if os.path.abspath(facts.path).startswith(root + os.sep)]
        return sorted(inside, key=lambda facts: os.path.abspath(facts.path) != exact)

    def _module_for_entry(self, point, base_dir: str) -> str | None:
        if point.kind == "module":
            return self.project.module_for(point.target)
        wanted = point.target.replace("\\", "/").lstrip("./")
        files = self._files_for(point.target, base_dir,
                                lambda path: path == wanted or wanted.endswith("/" + path) or path.endswith("/" + wanted))
        return files[0].module if files else None

    def _function_for_entry(self, point, declared) -> str | None:
        if point.kind == "django-command":
            suffix = f"management/commands/{point.target}.py"
            for facts in self._files_for(suffix, declared.base_dir, lambda path: path.endswith(suffix)):
                qual = f"{facts.module}.Command.handle"
                return qual if qual in self.project.functions else None
            return None
        if point.kind == "console-script":
            module, _, func = point.target.partition(":")
            resolved = self.project.module_for(module.strip())
            qual = f"{resolved}.{func.strip()}" if resolved else ""
            return qual if qual in self.project.functions else None
        # Lambda handler: "app.handler", "src/handlers/app.lambda_handler"
        module_path, _, func = point.target.rpartition(".")
        wanted = module_path.replace(".", "/") + ".py"
        for facts in self._files_for(wanted, declared.base_dir, lambda path: path == wanted or path.endswith("/" + wanted)):
            qual = f"{facts.module}.{func}"
            if qual in self.project.functions:
                return qual
        if declared.calls_handler:  # a Cloud Function outside a main.py batchlint sees: the one function of its name
            named = [qual for qual, (fn, _facts) in self.project.functions.items() if fn.name == func and not fn.class_qual]
            return named[0] if len(named) == 1 else None
        return None
