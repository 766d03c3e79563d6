"""Apps depend one way (docs: DESIGN, "Architecture"): core <- candidates <- feedback <-
clients, api, privacy, ops <- tvr_site. Checked on the source, so that a new import the
wrong way fails here rather than as an import cycle some day."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCAL_APPS = {
    "core",
    "candidates",
    "feedback",
    "clients",
    "api",
    "privacy",
    "ops",
    "demo",
    "tvr_site",
}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports, at any depth (lazy imports included)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def app_code(app: str, *, skip: tuple[str, ...] = ()) -> list[Path]:
    """The app's modules, its tests included (a test of an app builds on what the app may
    use: a test that needs an app to the right lives there), without migrations and
    `skip`."""
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT / app).parts and path.name not in skip
    ]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def apps_imported(path: Path) -> set[str]:
    return {module.split(".")[0] for module in imported_modules(path)} & LOCAL_APPS


@pytest.mark.parametrize("path", app_code("core"), ids=relative)
def test_core_imports_no_app_of_the_project(path):
    assert apps_imported(path) <= {"core"}


@pytest.mark.parametrize("path", app_code("candidates"), ids=relative)
def test_candidates_imports_no_other_app(path):
    assert apps_imported(path) <= {"core", "candidates"}


@pytest.mark.parametrize("path", app_code("feedback"), ids=relative)
def test_feedback_imports_only_the_apps_to_its_left(path):
    assert apps_imported(path) <= {"core", "candidates", "feedback"}


@pytest.mark.parametrize("path", app_code("clients"), ids=relative)
def test_clients_imports_only_the_apps_to_its_left(path):
    assert apps_imported(path) <= {"core", "candidates", "feedback", "clients"}


@pytest.mark.parametrize("path", app_code("api"), ids=relative)
def test_api_imports_only_the_apps_to_its_left(path):
    assert apps_imported(path) <= {"core", "candidates", "feedback", "api"}


@pytest.mark.parametrize("path", app_code("privacy"), ids=relative)
def test_privacy_imports_only_the_apps_to_its_left(path):
    assert apps_imported(path) <= {"core", "candidates", "feedback", "privacy"}


@pytest.mark.parametrize("path", app_code("ops"), ids=relative)
def test_ops_reads_the_apps_to_its_left_and_no_other_operational_app(path):
    assert apps_imported(path) <= {"core", "candidates", "feedback", "ops"}


@pytest.mark.parametrize("path", app_code("demo"), ids=relative)
def test_demo_builds_on_the_apps_not_on_the_wiring(path):
    assert "tvr_site" not in apps_imported(path)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "feedback" / "services").glob("*.py")), ids=relative
)
def test_the_services_do_not_import_the_tasks_that_call_them(path):
    relative_imports = set()  # from ..tasks import x, from .. import tasks
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            relative_imports.update([node.module, *(alias.name for alias in node.names)])
    assert "feedback.tasks" not in imported_modules(path)
    assert "tasks" not in relative_imports


def test_the_suite_collects_the_tests_of_every_app(pytestconfig):
    """`make test` runs what pyproject.toml's testpaths name: an app left out there has
    tests that never run."""
    with_tests = {app for app in LOCAL_APPS if any((ROOT / app).rglob("test_*.py"))}
    assert with_tests <= set(pytestconfig.getini("testpaths"))
