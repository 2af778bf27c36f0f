"""Build the zero-install JupyterLite site: ``make lite`` (or ``python lite/build.py OUT``).

The site holds the course notebooks, the trainee hub, and the project as a pure-Python wheel
that the browser installs with piplite. Notebook copies get the Pyodide kernel and a first
cell that installs the course package; numpy, pandas, matplotlib and the other libraries come
from the Pyodide distribution, which the browser fetches from its public host at run time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL = """# JupyterLite: install the course package in this browser tab (a minute the first time)
import piplite
await piplite.install(["numpy", "pandas", "matplotlib", "scipy", "networkx", "pyyaml",
                       "pydantic", "sqlalchemy", "ipywidgets", "tqdm", "joblib"])
await piplite.install("csat-workshop", deps=False)"""
KERNEL = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


# What a build must not see: setuptools builds in the source folder (build/, *.egg-info), so
# two builds of one checkout at once collide; each builds from its own clean copy instead.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
    ".hypothesis", ".ruff_cache", "results", "room", "out", "*.sqlite*",
)  # fmt: skip


def wheel(out: Path) -> Path:
    """Build the project's wheel (pure Python: no compiled extension of its own) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="csat-wheel-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT, src, ignore=_NOT_SOURCE)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
             "--wheel-dir", str(out), str(src)],
            check=True,
        )  # fmt: skip
    (found,) = sorted(out.glob("csat_workshop-*.whl"))
    if not found.name.endswith("-py3-none-any.whl"):
        raise RuntimeError(f"expected a pure-Python wheel, got {found.name}")
    return found


def lite_copy(src: Path, dst: Path) -> None:
    """A notebook for the browser kernel: Pyodide kernelspec, install cell first."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    nb["metadata"]["kernelspec"] = KERNEL
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": ["lite-install"]},
        "outputs": [],
        "source": INSTALL.splitlines(keepends=True),
    }
    first_code = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"].insert(first_code, cell)
    dst.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


def build(out: Path) -> Path:
    """Build the site into ``out``; return it."""
    work = out.parent / f"{out.name}-work"
    shutil.rmtree(work, ignore_errors=True)
    contents = work / "contents"
    contents.mkdir(parents=True)
    whl = wheel(work / "wheels")
    for nb in sorted((ROOT / "csat" / "course").glob("*.ipynb")):
        lite_copy(nb, contents / nb.name)
    # The trainer's guide stays with the trainer; the hub gets an export button, because in
    # the browser the results live in the tab until the trainee hands them over.
    hub = contents / "exercises-hub.ipynb"
    lite_copy(ROOT / "csat" / "app" / "hub.ipynb", hub)
    nb = json.loads(hub.read_text(encoding="utf-8"))
    nb["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {"tags": ["lite-export"]},
            "outputs": [],
            "source": ["from csat.ui.export import ExportButton\n\nExportButton(Store())"],
        }
    )
    hub.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "jupyter"), "lite", "build",
         "--contents", str(contents), "--piplite-wheels", str(whl),
         "--output-dir", str(out), "--lite-dir", str(work)],
        check=True, cwd=work,
    )  # fmt: skip
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "lite"
    print(build(target.resolve()))
