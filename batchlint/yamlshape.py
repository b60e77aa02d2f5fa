"""YAML read from a pull request: bounded in size, taken only in the shapes a reader expects.

Schedule files (external.py) come from whoever wrote the pull request. The
loader shares an aliased value, so loading an alias bomb is quick; but any
walk or str() of it expands it: nine aliases nine deep (a "billion laughs"
of ten lines) are 387 million values, 46 s and 2.8 GiB. `bounded` counts the
values without expanding them and refuses such a file. A value of the wrong
shape (`jobs:` as a list, `steps: 5`) reads as an empty one.
"""

from __future__ import annotations

MAX_YAML_VALUES = 100_000  # values a YAML file may hold with its aliases expanded


class Refused(Exception):
    """A schedule file batchlint will not read; the message says why."""


def bounded(docs: list) -> None:
    """Raise Refused when the documents hold more than MAX_YAML_VALUES values
    once aliases are expanded (an alias bomb, or an alias inside itself). The
    count stops at the limit, so the refusal is as quick as the load."""
    count = 0
    todo = list(docs)
    while todo:
        value = todo.pop()
        count += 1
        if count > MAX_YAML_VALUES:
            raise Refused(f"its YAML aliases expand to over {MAX_YAML_VALUES:,} values (an alias bomb?)")
        if isinstance(value, dict):
            todo += value.keys()
            todo += value.values()
        elif isinstance(value, list):
            todo += value


def as_dict(value) -> dict:
    """A mapping the file should hold there, or {} when it holds something else."""
    return value if isinstance(value, dict) else {}


def as_list(value) -> list:
    """A sequence the file should hold there, or [] when it holds something else."""
    return value if isinstance(value, list) else []
