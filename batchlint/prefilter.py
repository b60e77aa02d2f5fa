"""Which files are worth a parse.

The first round parses the files that import the SDK (or name a configured
client factory). Each later round adds files that name a function (or class,
or client variable) found to reach a Claude call *and* import its module, a
package above it (a re-export) or a module of that name (sibling scripts);
files holding schedule tables that name tasks by string; the modules a
parsed file hands something that carries Claude to (a client, an object
whose class reaches a Claude call, such a function), since the loop
applying it may live there; and the modules of a relevant file's
decorators and base classes. Imports are read from the text with a regex:
a line that only looks like an import costs a parse, never a finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from .analysis.facts import FileFacts
from .analysis.project import Project, Value
from .analysis.values import CLASSES, FUNCTIONS, INSTANCES
from .analysis.registries import registry_lookup
from .analysis.surfaces import names_claude_client
from .config import Config
from .discovery import SourceFile, path_module_names, seed_pattern


class Relevance(NamedTuple):
    """What one round found, for choosing the next round's files."""

    names: dict[str, set[str]]  # a name whose mention matters -> imports that can bring it in
    modules: set[str]  # modules holding Claude-reaching code
    reaching: set[str]  # functions (and module scopes) from which a Claude call is reached
    carrier_classes: set[str]  # project classes with a reaching method, their bases and subclasses
    scripts: frozenset[str] = frozenset()  # `x.py` / `pkg.x` of modules whose own code reaches Claude (script_runs.py)


def carries_claude(value: Value | None, relevance: Relevance) -> bool:
    """A value that can make a Claude call wherever it is handed: a client (or
    part of one), an object of a class that reaches one, such a function."""
    if value is None:
        return False
    if value.kind == "client":
        return True
    if value.kind == "sdk":
        # `client.messages` can still make calls; what a call returned (a
        # message, a page, a batch) cannot
        return "()" not in value.path
    if value.kind == "func":
        return value.name in relevance.reaching
    if value.kind == FUNCTIONS:  # one of several functions (values.py)
        return any(name in relevance.reaching for name in value.name.split("|"))
    if value.kind in ("inst", "class"):
        return value.name in relevance.carrier_classes
    if value.kind in (INSTANCES, CLASSES):  # one of several classes or their objects (values.py)
        return any(name in relevance.carrier_classes for name in value.name.split("|"))
    if value.kind == "ext":  # `ChatAnthropic(...)`, `instructor.from_anthropic(...)`
        return names_claude_client(value.name)
    return False


def _holds_claude(project: Project, value: Value | None, relevance: Relevance) -> bool:
    """carries_claude, or a record built with one in a field
    (`ModelConfig(handler=ClaudeHandler)`, values.py _field_value)."""
    if carries_claude(value, relevance):
        return True
    return value is not None and value.kind == "inst" and any(
        carries_claude(project.value(symbolic), relevance)
        for arguments in project.constructions.get(value.name, ()) for _key, symbolic in arguments)


def relevance_of(project: Project, former_names: dict[str, str] | None = None) -> Relevance:
    """Names whose mention makes an unparsed file worth parsing — each with the
    imports that can bring it into a file (its module, the packages above it,
    the module's bare name) — the modules holding Claude-reaching code, and
    what counts as carrying Claude when handed to another module.
    `former_names`: module -> the name checker._unique_modules renamed it
    from, which its neighbours' imports still use (`import common`)."""
    former_names = former_names or {}
    reaching: set[str] = set()
    todo = [site.scope for site, _facts, _sdk in project.sdk_calls]
    while todo:
        scope = todo.pop()
        if scope in reaching:
            continue
        reaching.add(scope)
        for edge in project.callers.get(scope, ()):
            todo.append(edge.site.scope)
        for edge in project.references.get(scope, ()):
            todo.append(edge.site.scope)
    names: dict[str, set[str]] = {}
    modules: set[str] = set()
    carrier_classes: set[str] = set()
    spellings_of: dict[str, set[str]] = {}  # per file: many names share one module

    def add(name: str, facts: FileFacts | None) -> None:
        if facts is None or len(name) <= 2 or name.startswith("__"):
            return
        spellings = spellings_of.get(facts.path)
        if spellings is None:
            spellings = spellings_of[facts.path] = _import_spellings(facts, former_names.get(facts.module, ""))
        names.setdefault(name, set()).update(spellings)

    for qual in reaching:
        fn = project.function(qual)
        if fn is None:
            modules.add(qual)
            continue
        facts = project.file_of_function(qual)
        add(fn.name, facts)
        for dec in fn.decorators:  # `@shared_task(name="reports.refresh")`: a schedule table names that
            for key, text in dec.kwargs:
                if key == "name" and text[:1] in "'\"":
                    add(text.strip("'\"").rpartition(".")[2], facts)
        if fn.class_qual:
            # callers may hold the object by a base type (`sampler: SamplerBase`)
            # ...or by a subclass that inherits the method (`ClaudeProvider(BaseProvider)`)
            related = [fn.class_qual, *project.class_ancestry(fn.class_qual), *project.all_subclasses(fn.class_qual)]
            for cls in related:
                entry = project.classes.get(cls)
                if entry is not None:  # a library base (`ABC`, `BaseCommand`) names nothing of ours
                    add(cls.rpartition(".")[2], entry[1])
                    carrier_classes.add(cls)
        if facts is not None:
            modules.add(facts.module)
    # a script whose own code reaches Claude may be run per item by another program
    # (its file name, `job.py`, or a dotted name `-m` may give, `jobs.archive_one`; a bare module
    # name like `main` is in too many texts to pick files by)
    scripts = frozenset(spelling for qual in reaching if qual in project.modules
                        for path in [project.modules[qual].path.replace("\\", "/")]
                        for spelling in (path.rpartition("/")[2], qual, path[:-3].replace("/", "."))
                        if spelling.endswith(".py") or "." in spelling)
    relevance = Relevance(names, modules, reaching, carrier_classes, scripts)
    # module variables and factories holding a carrier (`client = Anthropic()`,
    # `sampler = ClaudeSampler()`, `def get_client(): ...`)
    for qual, symbolic in project.variables.items():
        if _holds_claude(project, project.value(symbolic), relevance):
            add(qual.rpartition(".")[2], project.modules.get(qual.rpartition(".")[0]))
    for qual, (fn, facts) in project.functions.items():
        if fn.returns and carries_claude(project.value(qual + "()"), relevance):
            add(fn.name, facts)
    # a registry holding something that reaches Claude (`API_REGISTRY[name](row)`, registries.py)
    for key, members in project.registries.items():
        if any(_holds_claude(project, member, relevance) for member in members):
            module, _, name = key.rpartition(".")
            add(name, project.modules.get(module))
    return relevance


# Schedule tables name their tasks by string ("digest.nightly"), not by import.
_SCHEDULE_TABLES = ("beat_schedule", "BEAT_SCHEDULE", "CRONJOBS")  # substring tests: 5x a regex alternation


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import\b|import[ \t]+([\w., \t]+))", re.MULTILINE)


def _import_spellings(facts: FileFacts, former_name: str = "") -> set[str]:
    """Every import that can bring a name of this module into another file:
    the module under each spelling, each package above it, its bare name."""
    out: set[str] = set()
    for spelling in module_spellings(facts.module, facts.path, former_name):
        out.update(_with_packages(spelling))
    return out


def _with_packages(dotted: str) -> list[str]:
    """`a.b.c` -> [`a`, `a.b`, `a.b.c`]."""
    parts = dotted.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _import_lines(text: str):
    """Matches of _IMPORT, tried only on lines holding the word `import`:
    4x faster than running the regex from every line start."""
    pos = 0
    last_line = -1
    while (found := text.find("import", pos)) >= 0:
        line = text.rfind("\n", 0, found) + 1
        if line != last_line:
            last_line = line
            match = _IMPORT.match(text, line)
            if match is not None:
                yield match
        pos = found + 6


def import_targets(source: SourceFile) -> frozenset[str]:
    """Modules a file's import lines name (relative ones resolved), and for
    `import a.b` also `a`, which that statement binds."""
    out: set[str] = set()
    package = source.module if source.is_package else source.module.rpartition(".")[0]
    for match in _import_lines(source.text):
        dots, module, plain = match.groups()
        if plain is not None:
            for item in plain.split(","):
                name = item.split()[0] if item.split() else ""
                out.update(_with_packages(name))
        elif dots:
            base = package
            for _ in range(len(dots) - 1):
                base = base.rpartition(".")[0]
            out.add(f"{base}.{module}".strip(".") if module else base)
            if module:
                out.add(module)  # a script run from its folder: `from .x` and `from x` name the same file
            else:  # `from . import common, llm`: the names are modules
                for name in _imported_names(source.text, match.end()):
                    out.add(f"{base}.{name}".strip("."))
                    out.add(name)
        else:
            out.add(module)
    return frozenset(out)


def _imported_names(text: str, start: int) -> list[str]:
    """The names after `import` in the statement from `start`: one line, or
    up to the `)` of a parenthesized list."""
    end = text.find("\n", start)
    names = text[start:end if end >= 0 else len(text)]
    if names.lstrip(" \t").startswith("("):
        end = text.find(")", start)
        names = text[start:end if end >= 0 else len(text)]
    names = re.sub(r"#[^\n]*", "", names).strip(" \t(")  # comments inside a parenthesized list
    return [item.split()[0] for item in names.split(",") if item.split() and IDENTIFIER.fullmatch(item.split()[0])]


# Packages through which a file may call Claude without importing the SDK (surfaces.py);
# such a file is a seed when it also mentions the SDK's or a model's name.
SURFACE_PACKAGES = frozenset({"langchain_anthropic", "litellm", "instructor", "openai", "langchain_community.chat_models"})


MESSAGES_SHAPE = re.compile(r"\.messages\.(?:create|stream|parse)\(")


def seed_test(config: Config) -> Callable[[SourceFile], bool]:
    """Which files start the parse: those importing the SDK (a mention in a
    comment, a string or a model name like "anthropic/claude-..." is not
    enough: such a file's calls reach Claude only through code that imports
    it, which the rounds follow), those naming a configured client factory,
    and those spelling a Messages request with no name of the SDK in them."""
    mention = seed_pattern(config)
    names = [f.rpartition(".")[2] for f in config.client_factories]
    factory = re.compile("|".join(re.escape(n) for n in names)) if names else None

    def is_seed(source: SourceFile) -> bool:
        if "max_tokens" in source.text and MESSAGES_SHAPE.search(source.text):
            return True  # a Messages request, maybe on a client handed in untyped (Project judges its shape)
        if not mention.search(source.text):
            return False
        if factory is not None and factory.search(source.text):
            return True
        targets = import_targets(source)
        return any(t == "anthropic" or t.startswith("anthropic.") for t in targets) or not SURFACE_PACKAGES.isdisjoint(targets)

    return is_seed


class Scan:
    """What the rounds need from an unparsed file's text, read once; its
    words only when its imports could bring a reaching name in."""

    __slots__ = ("text", "_words", "targets", "schedule_table", "runs_processes")

    def __init__(self, source: SourceFile) -> None:
        self.text = source.text
        self._words: frozenset[str] | None = None
        self.targets = import_targets(source)
        self.schedule_table = any(table in source.text for table in _SCHEDULE_TABLES)
        self.runs_processes = "subprocess" in source.text or "os.system" in source.text

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(IDENTIFIER.findall(self.text))
        return self._words


class Mentions:
    """One round's reaching names, indexed by the imports that can bring them
    in, to test unparsed files against."""

    def __init__(self, names: dict[str, set[str]], scripts: frozenset[str] = frozenset()) -> None:
        self.names = names
        self.scripts = scripts
        self.by_spelling: dict[str, list[str]] = {}
        for name, spellings in names.items():
            for spelling in spellings:
                self.by_spelling.setdefault(spelling, []).append(name)

    def in_file(self, scan: Scan) -> bool:
        """The file names a reaching function and imports something that can
        bring it in, or names it in a schedule table."""
        if scan.schedule_table:
            return not self.names.keys().isdisjoint(scan.words)
        if scan.runs_processes and any(script in scan.text for script in self.scripts):
            return True  # `subprocess.run([sys.executable, "one_job.py", item])` (analysis/script_runs.py)
        if self.by_spelling.keys().isdisjoint(scan.targets):
            return False
        wanted = {name for target in scan.targets for name in self.by_spelling.get(target, ())}
        # a substring test first: most files importing a relevant package name
        # none of its reaching functions, and listing a file's words costs more
        if not wanted or not any(name in scan.text for name in wanted):
            return False
        return not wanted.isdisjoint(scan.words)


def module_spellings(module: str, path: str, former_name: str = "") -> set[str]:
    """The names an import may use for a file: its module name, the
    spellings its path gives (discovery.path_module_names), and the name it
    had before it was renamed for sharing it with a file elsewhere, and a
    package module's bare name, which a script beside it imports it by."""
    bare = (module.rpartition(".")[2],) if "." in module else ()
    return {module, *path_module_names(path), *((former_name,) if former_name else ()), *bare}


def _handoffs(f: FileFacts, project: Project, relevance: Relevance, modules_of: Callable[[str], list[str]]) -> set[str]:
    """What a parsed file hands a carrier of Claude to (`run_eval(sampler)`,
    `run_all(client, rows)`, `pool.map(ask, xs)` with `pool` from a project
    module), and, for a file holding Claude-reaching code, its decorators
    (`@app.task`: the app's module says what it is) and base classes. Values
    are evaluated only for callees in an unparsed module.

    A value the project cannot evaluate is not followed: the receiving
    module's parameter would stay unknown too, and a module that could tell
    more by itself (it imports the SDK, or names a reaching class in an
    annotation) is parsed by the other rules."""
    used: set[str] = set()
    for site in f.sites:
        if site.ref_via:
            if modules_of(site.ref_via) and carries_claude(project.value(site.callee), relevance):
                used.add(site.ref_via)
        elif site.arg_values:
            receivers = [t for t in (site.callee, *_unparsed_members(project, site.callee)) if modules_of(t)]
            if receivers and any(carries_claude(project.value(value), relevance) for _key, value in site.arg_values):
                used.update(receivers)
        # `run_all(xs, lambda x: ask(x))`: the helper a Claude-reaching lambda is handed to
        helpers = [s.via for s in site.structs if s.kind == "arg" and any(f.startswith("param=") for f in s.flags)]
        if helpers and (site.callee in relevance.reaching or carries_claude(project.value(site.callee), relevance)):
            used.update(via for via in helpers if modules_of(via))
    # a file holding Claude-reaching code, or importing the SDK (a method on
    # `self.client` is a Claude call once the base class that builds the client
    # through `self.init_client()` is read)
    if f.module in relevance.modules or "anthropic" in f.imported_modules:
        for fn in f.functions:
            used.update(d.expr for d in fn.decorators)
        for cls in f.classes:
            used.update(cls.bases)
            used.update(d.expr for d in cls.decorators)
        used.update(_value_sources(f))
    elif f.path.endswith("__init__.py"):  # a package re-exporting a constant (`import app; app.MODEL`)
        used.update(target for local, target in f.imports if local.isupper())
    return used


def _unparsed_members(project: Project, callee: str) -> list[str]:
    """`LOADERS.get(kind)(path, model)`: the members of a registry the project
    has not parsed yet (each could be the class that receives the carrier)."""
    key = registry_lookup(project, callee) if project.registries else ""
    return [m.name for m in project.registries.get(key, ()) if m.kind == "ext"]


def _value_sources(f: FileFacts) -> set[str]:
    """Where a request's values may be written (analysis/request_values.py):
    what its `model=` / `max_tokens=` / `system=` name, imported constants
    (`from app.config import FAST_MODEL`) and settings objects."""
    out = {target for local, target in f.imports if local.isupper() or local in _SETTINGS_NAMES}
    for site in f.sites:
        if site.request is not None:
            out.update(symbolic for _key, symbolic in site.request.refs)
    return out


_SETTINGS_NAMES = frozenset(("settings", "config", "conf", "SETTINGS", "CONFIG"))


def handoff_sources(project: Project, relevance: Relevance, by_module: dict[str, list[str]], parsed: set[str]) -> set[str]:
    """Unparsed files that parsed code hands a carrier of Claude to, and the
    modules of a relevant file's decorators and base classes."""

    known: dict[str, list[str]] = {}  # callees repeat: one lookup each per round

    def modules_of(target: str) -> list[str]:
        """The unparsed files the longest project-module prefix of `target` names."""
        found = known.get(target)
        if found is None:
            found = known[target] = []
            parts = target.rstrip("()").split(".")
            for i in range(len(parts), 0, -1):
                hits = by_module.get(".".join(parts[:i]))
                if hits:
                    found += [h for h in hits if h not in parsed]
                    break
        return found

    out: set[str] = set()
    for module, stars in project.star_imports.items():
        if len(stars) > 1 and module in relevance.modules:  # which of them binds a name: the last that defines it
            for star in stars:
                out.update(modules_of(star))
    for f in project.files:
        used = _handoffs(f, project, relevance, modules_of)
        for target in used:
            out.update(modules_of(target))
            if target.startswith("django.conf.settings"):  # the project's settings modules
                out.update(p for m, paths in by_module.items() if ".settings." in f".{m}." for p in paths if p not in parsed)
    return out
