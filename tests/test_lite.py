"""``make lite``: the static JupyterLite site holds every course notebook and the project wheel."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("lite_build", ROOT / "lite" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    out = tmp_path_factory.mktemp("lite") / "site"
    return build.build(out)


def test_site_has_the_app_and_every_course_notebook(site):
    assert (site / "index.html").is_file() and (site / "lab" / "index.html").is_file()
    course = sorted(p.name for p in (ROOT / "csat" / "course").glob("*.ipynb"))
    files = sorted(p.name for p in (site / "files").glob("*.ipynb"))
    assert course and set(course) <= set(files) and "exercises-hub.ipynb" in files
    for name in files:
        nb = json.loads((site / "files" / name).read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python", name
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        assert 'piplite.install("csat-workshop", deps=False)' in "".join(first["source"])
    hub = json.loads((site / "files" / "exercises-hub.ipynb").read_text(encoding="utf-8"))
    assert "ExportButton" in "".join(hub["cells"][-1]["source"])


def test_site_carries_the_project_as_a_pure_python_wheel(site):
    (wheel,) = sorted((site / "pypi").glob("csat_workshop-*.whl"))
    assert wheel.name.endswith("-py3-none-any.whl")
    index = json.loads((site / "pypi" / "all.json").read_text(encoding="utf-8"))
    assert "csat-workshop" in index or "csat_workshop" in index
    names = zipfile.ZipFile(wheel).namelist()
    assert "csat/sim/run.py" in names and "csat/exercises/engine.py" in names
    assert "csat/exercises/scenarios/hotpot-queue.yaml" in names
    assert "csat/course/00-welcome.ipynb" in names and "csat/app/hub.ipynb" in names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dylib"))]
