"""The layout rule, read from the code's own import statements (module level and inside functions):
dependencies point web/api -> domains -> platform, and no domain reaches up into the surfaces."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("client", "staff", "tickets", "channels", "routing", "sla", "supervision", "admin")
# What sits above the domains: the sockets, the browser and REST surfaces, the commands.
SURFACES = ("helpdesk.realtime", "helpdesk.web", "helpdesk.api", "helpdesk.cli", "helpdesk.launcher", "workers.jobs")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / "helpdesk" / package).rglob("*.py") if "__pycache__" not in p.parts)


def reaches(imports: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(name for name in imports if any(name == p or name.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_never_imports_realtime_or_a_surface(domain):
    offenders = {}
    for path in modules_of(domain):
        bad = reaches(imported_modules(path), SURFACES)
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}, "domains record events and the outbox pushes them; they never import these"


def test_platform_imports_no_domain():
    domains = tuple(f"helpdesk.{d}" for d in DOMAINS)
    offenders = {str(p.relative_to(ROOT)): bad for p in modules_of("platform")
                 if (bad := reaches(imported_modules(p), domains + SURFACES))}
    assert offenders == {}


def test_the_rule_sees_an_import_inside_a_function(tmp_path):
    """The check must catch the import a circle hides in a function body."""
    module = tmp_path / "sneaky.py"
    module.write_text("def later():\n    from helpdesk import realtime\n    from helpdesk.web.agent import pages\n")
    assert reaches(imported_modules(module), SURFACES) == ["helpdesk.realtime", "helpdesk.web.agent",
                                                           "helpdesk.web.agent.pages"]
