"""The exercises core sits below the lessons and the widgets: it never imports them."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

from csat import exercises

MODULES = sorted(
    [
        "csat.exercises",
        *(m.name for m in pkgutil.walk_packages(exercises.__path__, "csat.exercises.")),
    ]
)


@pytest.mark.parametrize("module", MODULES)
def test_an_exercises_module_imports_no_upper_layer(module):
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'\n"
        "             or m.startswith(('csat.ui', 'csat.lessons')))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} pulls in {out.stdout.strip()}"
