"""Schedule tables written in Python that name their tasks by string: Celery
beat (`beat_schedule`, Django's `CELERY_BEAT_SCHEDULE`) and django-crontab's
`CRONJOBS` (a mixin of index._Indexer; contexts.py matches the names)."""

from __future__ import annotations

import ast

from .astwalk import dotted_name, str_value
from .facts import ScheduleRef


class ScheduleTables:
    """Records a ScheduleRef for each entry of a schedule table assigned."""

    def _maybe_schedule_table(self, target: ast.AST, value: ast.expr) -> None:
        name = dotted_name(target) or ""
        last = name.rpartition(".")[2]
        if last in ("beat_schedule", "CELERY_BEAT_SCHEDULE", "CELERYBEAT_SCHEDULE") and isinstance(value, ast.Dict):
            self._beat_entries(value)
        elif last == "CRONJOBS" and isinstance(value, (ast.List, ast.Tuple)):
            for entry in value.elts:
                if isinstance(entry, (ast.Tuple, ast.List)) and len(entry.elts) >= 2:
                    cron = str_value(entry.elts[0])
                    func = str_value(entry.elts[1])
                    if cron and func:
                        self.schedule_refs.append(
                            ScheduleRef(func, "django-crontab CRONJOBS", repr(cron), self._pos(entry))
                        )

    def _beat_entries(self, table: ast.Dict) -> None:
        for key, value in zip(table.keys, table.values):
            if key is None or not isinstance(value, ast.Dict):  # `**other` spreads
                continue
            label = str_value(key) or ""
            task, schedule = None, ""
            for field_key, field_value in zip(value.keys, value.values):
                name = str_value(field_key) if field_key is not None else None
                if name == "task":
                    task = str_value(field_value)
                elif name == "schedule":
                    schedule = self.source.text(field_value)
            if task:
                self.schedule_refs.append(
                    ScheduleRef(task, f"Celery beat entry '{label}'", schedule, self.source.span_between(key, value))
                )
