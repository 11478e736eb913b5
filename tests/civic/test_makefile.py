"""``make help`` names the targets a person runs, and ``make test`` runs the type checker
right after the linter."""

import re
import subprocess
from pathlib import Path

from django.conf import settings

MAKEFILE = Path(settings.BASE_DIR) / "Makefile"


def test_help_names_the_demo_and_the_checks():
    shown = subprocess.run(["make", "-s", "help"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True)
    for target in ("run", "demo", "test", "lint", "typecheck"):
        assert re.search(rf"^make {target}\b", shown.stdout, flags=re.M), target


def test_the_test_target_type_checks_after_linting():
    text = MAKEFILE.read_text()
    prerequisites = re.search(r"^test: (.*)$", text, flags=re.M).group(1).split()
    assert prerequisites.index("typecheck") == prerequisites.index("lint") + 1
    assert re.search(r"^typecheck:.*\n\tDEBUG=true \$\(PY\) -m mypy$", text, flags=re.M)
