"""Name resolution for the indexer: imports, bindings and expressions as
symbolic dotted strings (a mixin of index._Indexer)."""

from __future__ import annotations

import ast
import builtins

from .astwalk import FUNCTION_DEFS, TRY, dotted_name, str_value
from .surfaces import ANTHROPIC_HOSTS, OPENAI_COMPAT, OTHER_PROVIDER
from .facts import UNKNOWN
from .index_shapes import _short


def _position(index: ast.AST) -> bool:
    """`[0]`, `[-1]`: a position in a sequence (not a key, not a slice)."""
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        index = index.operand
    return isinstance(index, ast.Constant) and type(index.value) is int


def _variable_key(index: ast.AST) -> bool:
    """`[name]`, `[self.key]`: a key chosen at run time (a written string key
    reads a record's field instead)."""
    return isinstance(index, (ast.Name, ast.Attribute))


_DISPLAYS = (ast.List, ast.Tuple, ast.Set, ast.Dict)
_BUILTIN_NAMES = frozenset(dir(builtins))


class NameResolver:
    """Resolves names through the scopes, imports and module bindings."""

    def resolve_name(self, name: str) -> str:
        for scope in reversed(self.scopes):
            if scope.kind == "function" and name in scope.locals:
                return scope.locals[name]
        if name in self.imports:
            return self.imports[name]
        if name in self.module_defs or name in self.variables:
            return self.current_defs.get(name) or f"{self.module}.{name}"
        if self.star_imports and name not in _BUILTIN_NAMES:
            # one star import: its module's name; several: the project looks the
            # name up in each (values.import_sources), as Python binds the last
            return f"{self.star_imports[0]}.{name}" if len(self.star_imports) == 1 else f"{self.module}.{name}"
        return f"builtins.{name}"

    def expr(self, node: ast.AST | None) -> str:
        """Symbolic string for an expression, or UNKNOWN."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Name):
            return self.resolve_name(node.id)
        if isinstance(node, ast.Attribute):
            base = self.expr(node.value)
            return UNKNOWN if base == UNKNOWN else f"{base}.{node.attr}"
        if isinstance(node, ast.Call):
            func = node.func
            name = dotted_name(func) or ""
            if name.rpartition(".")[2] == "partial" and node.args:
                return self.expr(node.args[0])  # functools.partial(f, ...) ~ f
            if name == "getattr":
                choices = self.getattr_choices(node)
                if choices:  # getattr(client.messages, "create") ~ client.messages.create
                    base = self.expr(node.args[0])
                    return UNKNOWN if base == UNKNOWN else f"{base}.{self.getattr_pick.get(id(node), choices[0])}"
            base = self.expr(func)
            if base in ("openai.OpenAI", "openai.AsyncOpenAI") and self._anthropic_base_url(node):
                return f"{OPENAI_COMPAT}()"  # the OpenAI SDK talking to Claude (surfaces.py)
            if base.startswith("anthropic.") and self._other_provider_url(node):
                # `Anthropic(base_url="https://api.minimaxi.com/anthropic")`: another provider's
                # Anthropic-compatible endpoint, no Claude and no Message Batches behind it
                return f"{OTHER_PROVIDER}.{base.rpartition('.')[2]}()"
            return UNKNOWN if base == UNKNOWN else f"{base}()"
        if isinstance(node, ast.Await):
            return self.expr(node.value)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            # `REGISTRY[name]`: some entry of a module-level dict (registries.py)
            registry = self.module_level_name(node.value.id)
            if registry:
                return f"{registry}[]"
            # models[0], adapters[name]: an element of a local collection (not a record's field)
            return self.expr(node.value) if _position(node.slice) or _variable_key(node.slice) else UNKNOWN
        if isinstance(node, ast.Subscript) and _position(node.slice):
            return self.expr(node.value)  # `self.models[0]`: an element stands for the list (below)
        if isinstance(node, _DISPLAYS):
            # `[model]`, `(client, client)`, `{"a": model}`: a display of one kind of thing is spelled
            # as that thing, so `self.models = [model]` ... `self.models[0].classify()` reaches it;
            # `{**other}` and `[*rest]` hold what is not written here
            kinds, spreads = self._members(node)
            return kinds[0] if len(kinds) == 1 and not spreads else UNKNOWN
        if isinstance(node, ast.DictComp):
            return self.expr(node.value)  # `{m: make_adapter(m) for m in models}`: each value
        if isinstance(node, ast.BoolOp):
            # `client or Anthropic()`: prefer the side that constructs something.
            left = self.expr(node.values[0])
            for value in node.values[1:]:
                right = self.expr(value)
                if right.endswith("()") and not left.endswith("()"):
                    left = right
                elif left == UNKNOWN:
                    left = right
            return left
        if isinstance(node, ast.IfExp):
            body, orelse = self.expr(node.body), self.expr(node.orelse)
            return body if body != UNKNOWN else orelse
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._pipe(node)
        return UNKNOWN  # `None`, literals, anything computed

    def elements(self, node: ast.AST) -> list[str]:
        """What a loop over `node` (or a name given `node`) may hold: each kind
        of a display's elements (a dict's values) once (`[ClaudeProvider(), OpenAIProvider()]`),
        else `node` itself, as a list is spelled as its element (expr)."""
        if isinstance(node, _DISPLAYS):
            known = [v for v in self._members(node)[0] if v != UNKNOWN]
            if len(known) > 1:
                return known
        if isinstance(node, ast.IfExp):  # `A if c else B if d else C`: each branch
            branches = [v for v in dict.fromkeys(self.elements(node.body) + self.elements(node.orelse)) if v != UNKNOWN]
            return branches or [UNKNOWN]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            choices = self.getattr_choices(node)
            if len(choices) > 1:  # `send = getattr(self, f"send_{name}")`: each method it can name
                values = self.getattr_values(node, choices, node)
                return [v for v in dict.fromkeys(values) if v != UNKNOWN] or [UNKNOWN]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.IfExp):  # `(A if c else B)()`: each class's object
            made = [f"{branch}()" for branch in self.elements(node.func) if branch != UNKNOWN]
            return made or [UNKNOWN]
        if isinstance(node, ast.Name):
            for scope in reversed(self.scopes):
                if scope.kind == "function" and node.id in scope.locals:
                    return list(scope.alts.get(node.id, ())) or [scope.locals[node.id]]
        if self._self_attribute(node):  # `self.providers`, given a list in this class
            kinds = self.classes[self._function_scope().class_qual]["kinds"].get(node.attr)
            if kinds:
                return kinds
        return [self.expr(node)]

    def _members(self, node: ast.List | ast.Tuple | ast.Set | ast.Dict) -> tuple[list[str], bool]:
        """The symbolic values of a display's written members (a dict's values),
        each once, and whether it also spreads another collection (`*rest`, `**other`)."""
        members = node.values if isinstance(node, ast.Dict) else node.elts
        spreads = any(isinstance(e, ast.Starred) for e in members) or None in getattr(node, "keys", ())
        return list(dict.fromkeys(self.expr(e) for e in members if not isinstance(e, ast.Starred))), spreads

    def _self_attribute(self, node: ast.AST) -> bool:
        """`self.name` inside a method."""
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"):
            return False
        fn = self._function_scope()
        return fn is not None and bool(fn.class_qual) and fn.class_qual in self.classes

    def _pipe(self, node: ast.BinOp) -> str:
        """A LangChain pipe, `prompt | llm | parser`: its `invoke` sends the
        model's request, so the chain stands for the model, the last part that
        is neither a parser nor a prompt. Only a pipe with a LangChain part."""
        parts: list[ast.AST] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            parts.append(node.right)
            node = node.left
        parts.append(node)  # last to first
        values = [self.expr(part) for part in parts]
        if not any(v.startswith("langchain") for v in values):
            return UNKNOWN  # `re.I | re.M`, `a | b` of sets or dicts
        for part, value in zip(parts, values):
            text = (dotted_name(part.func if isinstance(part, ast.Call) else part) or "").lower()
            if value == UNKNOWN or value.startswith("langchain_core.") or "parser" in text or "prompt" in text:
                continue
            return value
        return UNKNOWN

    def _anthropic_base_url(self, node: ast.Call) -> bool:
        """`OpenAI(base_url="https://api.anthropic.com/v1/")`, also through a module constant."""
        url = self._base_url(node)
        return url is not None and any(host in url for host in ANTHROPIC_HOSTS)

    def _other_provider_url(self, node: ast.Call) -> bool:
        """A written `base_url` on another provider's host (not Anthropic's, not
        this machine's: a local proxy may stand in front of Claude)."""
        url = self._base_url(node)
        if not url or "://" not in url:
            return False
        host = url.partition("://")[2].split("/")[0].split(":")[0].lower()
        local = host in ("localhost", "0.0.0.0", "host.docker.internal") or host.startswith("127.")
        return bool(host) and not local and not host.endswith("anthropic.com") and "{" not in host

    def _base_url(self, node: ast.Call) -> str | None:
        for keyword in node.keywords:
            if keyword.arg == "base_url":
                url = str_value(keyword.value)
                if url is None and isinstance(keyword.value, ast.Name):
                    url = self.string_values.get(keyword.value.id)
                return url
        return None

    def module_level_name(self, name: str) -> str:
        """The symbolic name of a module-level or imported name, '' for a local
        or a builtin."""
        for scope in self.scopes:
            if scope.kind == "function" and name in scope.locals:
                return ""
        if name in self.imports or name in self.module_defs or name in self.variables:
            return self.resolve_name(name)
        return ""

    def getattr_choices(self, node: ast.Call) -> list[str]:
        """The attribute names `getattr(obj, name)` can look up: a literal, or a
        name holding one of a small set of literals (a parameter's default, a
        loop over written names, a module tuple of them)."""
        if len(node.args) < 2 or node.keywords or self.resolve_name("getattr") != "builtins.getattr":
            return []
        name = node.args[1]
        literal = str_value(name)
        if literal is not None:
            return [literal] if literal.isidentifier() else []
        if isinstance(name, ast.JoinedStr):
            return self._methods_spelled(node.args[0], name)
        if not isinstance(name, ast.Name):
            return []
        for scope in reversed(self.scopes):
            if name.id in scope.choices:
                return scope.choices[name.id]
            if scope.kind == "function" and name.id in scope.locals:
                return []  # a local bound otherwise: unknown
        literal = self.string_values.get(name.id)
        return [literal] if literal is not None and literal.isidentifier() else []

    def getattr_values(self, head: ast.Call, choices: list[str], node: ast.expr) -> list[str]:
        """`node` spelled with each name `head`, a `getattr(obj, name)` inside
        it, can look up (one of `choices`)."""
        values = []
        for choice in choices:
            self.getattr_pick[id(head)] = choice
            values.append(self.expr(node))
        self.getattr_pick.pop(id(head), None)
        return values

    def _methods_spelled(self, receiver: ast.expr, spelling: ast.JoinedStr) -> list[str]:
        """`getattr(self, f"_call_{provider}")`: the methods of this class whose
        names the f-string's written start and end allow (`_call_anthropic`,
        `_call_openai`), when it writes at least one of them."""
        fn = self._function_scope()
        if not (isinstance(receiver, ast.Name) and receiver.id == "self" and fn is not None and fn.class_qual in self.classes):
            return []
        parts = spelling.values
        prefix = parts[0].value if parts and isinstance(parts[0], ast.Constant) else ""
        suffix = parts[-1].value if len(parts) > 1 and isinstance(parts[-1], ast.Constant) else ""
        if not (isinstance(prefix, str) and isinstance(suffix, str)) or not (prefix or suffix):
            return []
        methods = self.classes[fn.class_qual]["methods"]
        return [m for m in methods if m.startswith(prefix) and m.endswith(suffix) and len(m) > len(prefix) + len(suffix)]

    def annotation_instance(self, node: ast.expr | None) -> str:
        """`client: Anthropic | None` -> "anthropic.Anthropic()"."""
        if node is None:
            return UNKNOWN
        quoted = str_value(node)
        if quoted is not None:
            try:
                node = ast.parse(quoted.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return UNKNOWN  # not an expression; unknown annotation
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | None
            for side in (node.left, node.right):
                if not (isinstance(side, ast.Constant) and side.value is None):
                    node = side
                    break
        if isinstance(node, ast.Subscript):  # Optional[X]
            head = dotted_name(node.value) or ""
            if head.rpartition(".")[2] == "Optional":
                inner = node.slice
                node = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
        base = self.expr(node) if isinstance(node, (ast.Name, ast.Attribute)) else UNKNOWN
        return UNKNOWN if base == UNKNOWN else f"{base}()"

    def bind(self, target: ast.AST, value: str) -> None:
        scope = self.scope
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element, UNKNOWN)
            return
        if isinstance(target, ast.Name):
            name = target.id
            if scope.kind == "function":
                # `call_api = a if ... else b` spread over branches: keep every value
                previous = scope.locals.get(name, UNKNOWN)
                if previous not in (UNKNOWN, value) and value != UNKNOWN:
                    known = scope.alts.setdefault(name, [previous])
                    if value not in known:
                        known.append(value)
                scope.locals[name] = value
            elif scope.kind == "class":
                scope.attrs.setdefault(name, value)
            else:
                previous = self.variables.get(name, UNKNOWN)
                if previous not in (UNKNOWN, value) and value != UNKNOWN:
                    known = self.variable_alts.setdefault(name, [previous])
                    if value not in known:
                        known.append(value)
                if value != UNKNOWN or name not in self.variables:
                    self.variables[name] = value
            return
        if self._self_attribute(target):
            # self.client = Anthropic() inside a method binds an instance attribute; what
            # else it is given (on another branch, in another method) is kept beside it
            entry = self.classes[self._function_scope().class_qual]
            first = entry["attrs"].get(target.attr, UNKNOWN)
            if first == UNKNOWN:
                entry["attrs"][target.attr] = value
            elif value not in (UNKNOWN, first) and value not in entry["alts"].get(target.attr, ()):
                entry["alts"].setdefault(target.attr, []).append(value)

    def _text_of(self, node: ast.AST) -> str:
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = dotted_name(node)
            if dotted:
                return dotted
        return _short(self.source.text(node))

    # ------------------------------------------------------------------ module
    def _prepass(self, stmt: ast.stmt) -> None:
        """Top-level names, so a function body may use a name defined below it."""
        if isinstance(stmt, (*FUNCTION_DEFS, ast.ClassDef)):
            self.module_defs.add(stmt.name)
            if not isinstance(stmt, ast.ClassDef):
                self.def_counts[stmt.name] = self.def_counts.get(stmt.name, 0) + 1
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._record_import(stmt, self.imports)
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    self.module_defs.add(t.id)
        elif isinstance(stmt, ast.AnnAssign):
            if isinstance(stmt.target, ast.Name):
                self.module_defs.add(stmt.target.id)
        elif isinstance(stmt, (ast.If, *TRY)):
            blocks = [stmt.body, stmt.orelse]
            if not isinstance(stmt, ast.If):
                blocks += [h.body for h in stmt.handlers]
            for block in blocks:
                for inner in block:
                    self._prepass(inner)

    def _neighbour(self, dotted: str) -> str:
        """`dotted` with a renamed neighbour's name replaced by its new one:
        `common.fetch` -> `tools.common.fetch` when ./common.py was renamed."""
        for name, renamed in self.renamed_neighbours:
            if dotted == name or dotted.startswith(name + "."):
                return renamed + dotted[len(name):]
        return dotted

    def _record_import(self, node: ast.Import | ast.ImportFrom, into: dict) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                full = alias.name
                self.imported_modules.add(full.partition(".")[0])
                if alias.asname is not None:
                    into[alias.asname] = self._neighbour(full)
                else:
                    head = full.partition(".")[0]
                    into[head] = self._neighbour(head)
            return
        base = node.module or ""
        if node.level:
            package = self.package
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}".strip(".") if base else package
        self.imported_modules.add((base or "").partition(".")[0])
        if node.names and node.names[0].name == "*":
            base = self._neighbour(base)
            if base and base not in self.star_imports:
                self.star_imports.append(base)
            return
        for alias in node.names:
            name = alias.name
            local = alias.asname if alias.asname is not None else name
            into[local] = self._neighbour(f"{base}.{name}" if base else name)
