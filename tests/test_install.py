"""The built wheel installs into a fresh virtual environment and runs the workshop from an
unrelated folder, one that holds a ``sim.py`` and an ``exercises/`` folder of its own (as
training rooms' laptops often do), without ``make`` and without this source tree."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel, at the versions in constraints.txt."""
    tmp = tmp_path_factory.mktemp("install")
    spec = importlib.util.spec_from_file_location("lite_build", ROOT / "lite" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    wheel = build.wheel(tmp)  # the one way the project builds its wheel (make lite uses it too)
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run(
        [str(python), "-m", "pip", "install", "-q", "-c", str(ROOT / "constraints.txt"), str(wheel)]
    )
    return python


@pytest.fixture(scope="module")
def room(tmp_path_factory) -> Path:
    """A folder with a sim.py and an exercises/ package that would shadow generic names."""
    room = tmp_path_factory.mktemp("room")
    (room / "sim.py").write_text("raise ImportError('the room sim.py was imported')\n")
    (room / "exercises").mkdir()
    (room / "exercises" / "__init__.py").write_text("raise ImportError('room exercises')\n")
    return room


def test_the_wheel_carries_the_course_and_the_app(installed):
    code = (
        "from importlib import resources; import csat; p = resources.files('csat');"
        "print(sorted(x.name for x in (p / 'course').iterdir() if x.name.endswith('.ipynb')));"
        "print(sorted(x.name for x in (p / 'app').iterdir()));"
        "t = p / 'cli' / 'voila' / 'templates' / 'csat';"
        "print(sorted(str(x.relative_to(t)) for x in t.rglob('*') if x.is_file()))"
    )
    out = _run([str(installed), "-c", code], cwd="/").stdout.splitlines()
    course = sorted(p.name for p in (ROOT / "csat" / "course").glob("*.ipynb"))
    assert json.loads(out[0].replace("'", '"')) == course
    app = {"hub.ipynb", "trainer.ipynb", "capstone.ipynb", "voila.py", "agenda.yaml"}
    assert app <= set(eval(out[1]))
    # The pages' template and its Font Awesome, so that the app needs no internet.
    template = set(eval(out[2]))
    assert {"conf.json", "index.html.j2", "static/fontawesome/css/all.min.css"} <= template
    assert "static/fontawesome/webfonts/fa-solid-900.woff2" in template


def test_init_validate_simulate_and_run_a_notebook_from_an_unrelated_folder(installed, room):
    bin_dir = installed.parent
    csat = str(bin_dir / ("csat.exe" if os.name == "nt" else "csat"))
    env = {k: v for k, v in os.environ.items() if k not in ("CSAT_DB_URL", "PYTHONPATH")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    # A laptop that has never drawn a Chinese figure: matplotlib's cache starts empty, so the
    # bundled font is cut afresh; and no font named by CSAT_CJK_FONT.
    env["MPLCONFIGDIR"] = str(room / "matplotlib")
    env.pop("CSAT_CJK_FONT", None)
    made = _run([csat, "init", "day1"], cwd=room, env=env)
    folder = room / "day1"
    assert (folder / "csat-workshop.toml").is_file()
    # The answer keys sit beside the course, not in the folder trainees browse.
    assert (folder / "trainer" / "answer-keys.zh.md").is_file()
    assert not list((folder / "course").glob("answer-keys*"))
    # init has cut the Chinese font already: the first figure of the day does not wait for it.
    cut = room / "matplotlib" / "csat-fonts"
    assert {p.name for p in cut.glob("*.ttf")} == {"NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"}
    assert "trainer" in made.stdout
    assert (folder / "course" / "00-welcome.ipynb").is_file()
    assert (folder / "app" / "voila.py").is_file() and (folder / "app" / "agenda.yaml").is_file()
    again = subprocess.run([csat, "init", "day1"], cwd=room, env=env, capture_output=True)
    assert again.returncode == 2 and b"--force" in again.stderr  # nothing overwritten

    validated = _run([csat, "exercises", "validate"], cwd=room, env=env).stdout.splitlines()
    shipped = [line for line in validated if "site-packages" in line and "/csat/exercises/" in line]
    assert len(shipped) >= 19 and all(line.endswith(": ok") for line in validated)

    png = room / "zh.png"
    drawn = _run(
        [csat, "sim", "run", "--preset", "hotel", "--customers", "2000", "--days", "30",
         "--seed", "1", "--plot", str(png), "--lang", "zh", "--no-progress"],
        cwd=room, env=env,
    )  # fmt: skip
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "missing from font" not in drawn.stderr and "No Chinese" not in drawn.stderr

    executed = room / "welcome-run.ipynb"
    _run(
        [str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
         "--output", str(executed), "00-welcome.ipynb"],
        cwd=folder / "course", env=env,
    )  # fmt: skip
    nb = json.loads(executed.read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    # The notebook's results went to the folder's own results file.
    assert (folder / "csat-results.sqlite").exists() or not any(
        "Store(" in "".join(c["source"]) for c in nb["cells"]
    )
