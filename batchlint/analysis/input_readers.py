"""Chat loops whose input is read in another file or through a base class.

The indexer marks a loop that reads a person's input through a function of
its own file (index.py, `_mark_input_helpers`). A terminal chat often reads
its line through an object: `while session.process(provider.get_line())`,
where `provider` is typed by an abstract `InputProvider` and the subclass
that calls `prompt_toolkit` lives in another module. Here every file's input
functions are joined, a function calling one (in any file) reads input too,
and a loop that calls one, or a base method one overrides, is a chat loop.
"""

from __future__ import annotations

from .facts import Span

_DEPTH = 4  # callers of callers of a reader: deep enough for a session -> provider -> prompt helper


def chat_loops(project) -> set[tuple[str, Span]]:
    """(path, span) of every `for`/`while` loop that calls a function reading
    a person's input, wherever that function is defined."""
    readers = {qual for facts in project.files for qual in facts.input_functions}
    if not readers:
        return set()
    frontier = set(readers)
    for _ in range(_DEPTH):
        callers = {edge.site.scope for qual in frontier for edge in project.callers.get(qual, ())
                   if not edge.site.ref_via and edge.site.scope in project.functions and not _in_loop(edge.site)}
        frontier = callers - readers
        if not frontier:
            break
        readers |= frontier
    names = {qual.rpartition(".")[2] for qual in readers}
    out: set[tuple[str, Span]] = set()
    for facts in project.files:
        for site in facts.sites:
            if site.ref_via or site.callee.rpartition(".")[2] not in names:
                continue
            loops = [s.span for s in site.structs if s.kind in ("for", "while")]
            if loops and any(target in readers for target in project._targets(project.value(site.callee))):
                out.update((facts.path, span) for span in loops)
    return out


def _in_loop(site) -> bool:
    """A reader called in a loop makes that loop a chat loop (above), not its function a reader."""
    return any(s.kind in ("for", "while") for s in site.structs)
