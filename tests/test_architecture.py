"""The shape of the code, read from the code itself: one folder per feature with the same
vocabulary (routes.py with its blueprint, forms.py, services.py, models.py, and named modules of
pure rules), no import that runs in a circle, features that depend on each other one way only,
and a README that says where each of them is."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "competition"
VOCABULARY = {"__init__", "routes", "forms", "services", "models"}
# Modules of a feature beyond the vocabulary: its rules (pure, or reading like them) and parts.
FEATURE_MODULES = {
    "accounts": set(), "admin": set(), "appeals": set(), "audit": set(), "api": {"openapi"}, "boards": {"results", "exports"}, "certificates": {"pdf"}, "contest_files": {"schema"},
    "contests": {"lifecycle", "schemes", "sessions"}, "delegations": set(), "entries": {"identity", "importing"}, "judges": {"assigning", "importing"},
    "hall": set(), "judging": {"tablets"}, "ledger": set(), "live": {"coalesce"}, "marking": set(), "numbering": {"rules"}, "paper": set(), "printing": {"pdf", "jobs"}, "public": set(),
    "demo": {"data", "spring", "autumn"},
}
NOT_FEATURES = {"scoring", "migrations", "translations"}  # the pure rules; the schema's history; catalogues
CORE_WITH_ROUTES = {"competition.health", "competition.i18n"}  # /healthz, /readyz; the language switch


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every module of the package that `name` imports, at the top or inside a function."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else node.module
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _feature(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() and parts[1] not in NOT_FEATURES else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_runs_in_a_circle():
    assert _cycles(GRAPH) == []


def test_features_depend_on_each_other_one_way():
    """The tables are one schema that every feature reads (competition/models.py); apart from
    the models, what a feature calls of another never calls it back."""
    edges: dict[str, set[str]] = {}
    for name, imported in GRAPH.items():
        for target in imported:
            a, b = _feature(name), _feature(target)
            if a and b and a != b and not target.endswith(".models"):
                edges.setdefault(a, set()).add(b)
    assert _cycles(edges) == [], edges


def test_models_import_only_models_and_the_core():
    wrong = [(name, target) for name, imported in GRAPH.items() if name.endswith(".models")
             for target in imported if _feature(target) and not target.endswith(".models")]
    assert not wrong, wrong


def test_every_feature_folder_reads_like_the_others():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - NOT_FEATURES
    assert folders == set(FEATURE_MODULES), "a new feature folder: add its modules to FEATURE_MODULES"
    for feature, extra in FEATURE_MODULES.items():
        names = {p.stem for p in (PACKAGE / feature).glob("*.py")}
        assert names <= VOCABULARY | extra, (feature, names - VOCABULARY - extra)


def test_blueprints_are_made_in_routes_modules_and_registered_by_the_factory():
    factory = MODULES["competition"].read_text(encoding="utf-8")
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if "Blueprint(" not in text:
            continue
        assert name.endswith(".routes") or name in CORE_WITH_ROUTES, name
        if name.endswith(".routes"):
            assert f"from .{name.split('.')[1]}.routes import bp" in factory, name
    # No module registers views on another's blueprint by being imported (no import side effects).
    for name, path in MODULES.items():
        assert not re.search(r"^from \. import \w+\s+# noqa: E402", path.read_text(encoding="utf-8"), re.M), name


def test_the_readme_says_where_every_feature_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f for f in FEATURE_MODULES if f"`competition/{f}/`" not in readme]
    assert not missing, missing
