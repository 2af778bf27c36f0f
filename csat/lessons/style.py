"""How every course figure looks: its fonts, its bold, its sizes.

A figure gets its settings from :func:`rc` (for ``plt.rc_context``) and its title weight from
:func:`weight`, so it looks the same whatever was drawn before it: nothing here writes
matplotlib's global ``rcParams``.

Chinese needs a CJK font, and the course ships one: Noto Sans SC (SIL Open Font License), from
the ``justmytype-intl-cjk`` package, so figures speak Chinese on macOS, Windows and Linux
without installing anything else. That package holds a variable font, which matplotlib draws
at its default weight (Thin); the first Chinese figure on a machine therefore cuts a Regular and
a Bold from it (about 25 s, once) into matplotlib's cache folder. ``CSAT_CJK_FONT``, the path of
a font file, overrides the bundled font (a company font, or Debian's
``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``). Without any CJK font (the font package is
not installed, as in JupyterLite), :func:`cjk_font` warns once and figures fall back to English.
"""

from __future__ import annotations

import functools
import os
import time
import warnings
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager

LATIN = "DejaVu Sans"
"""The Latin font of every figure (matplotlib's own, present everywhere)."""

BUNDLED = "Noto Sans SC"
"""The family name of the CJK font the course ships."""

_VARIABLE = ("justmytype_intl_cjk", "fonts/ofl/notosanssc/NotoSansSC[wght].ttf")
_WEIGHTS = {"Regular": 400, "Bold": 700}
_LOCK_STALE = 300.0  # seconds after which another process's unfinished font cut is abandoned


def has_cjk(*texts: Any) -> bool:
    """Whether any of ``texts`` holds Chinese characters (which need the CJK font)."""
    return any(
        "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
        for text in texts
        if text
        for ch in str(text)
    )


def font_folder() -> Path:
    """Where the cut Regular and Bold of the bundled font are kept."""
    return Path(matplotlib.get_cachedir()) / "csat-fonts"


def _variable_font() -> Path | None:
    package, name = _VARIABLE
    try:
        found = resources.files(package) / name
    except ModuleNotFoundError:
        return None
    return Path(str(found)) if found.is_file() else None


def _cut(source: Path, target: Path, weight: int) -> None:
    """Write the instance of the variable ``source`` at ``weight`` to ``target``, atomically,
    so that two kernels starting at once never read a half-written file."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = instancer.instantiateVariableFont(TTFont(source), {"wght": weight}, updateFontNames=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    font.save(partial)
    os.replace(partial, target)


def bundled_fonts() -> list[Path]:
    """The Regular and Bold files of the bundled Noto Sans SC, cut on first use; [] when the
    font package is not installed."""
    source = _variable_font()
    if source is None:
        return []
    folder = font_folder()
    folder.mkdir(parents=True, exist_ok=True)
    files = {style: folder / f"NotoSansSC-{style}.ttf" for style in _WEIGHTS}
    if all(path.is_file() for path in files.values()):
        return list(files.values())
    lock = folder / "cutting.lock"
    while True:  # one process cuts; the others wait for its files instead of doing it again
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL))
            break
        except FileExistsError:
            if all(path.is_file() for path in files.values()):
                return list(files.values())
            try:
                if time.time() - lock.stat().st_mtime > _LOCK_STALE:
                    lock.unlink(missing_ok=True)
            except FileNotFoundError:
                pass
            time.sleep(0.5)
    try:
        for style, path in files.items():
            if not path.is_file():
                _cut(source, path, _WEIGHTS[style])
    finally:
        lock.unlink(missing_ok=True)
    return list(files.values())


@cache
def _registered() -> str | None:
    """Register the CJK font (``CSAT_CJK_FONT``, else the bundled one) with matplotlib and
    return its family name; None when there is none."""
    override = os.environ.get("CSAT_CJK_FONT", "")
    if override:
        if not Path(override).is_file():
            raise FileNotFoundError(f"CSAT_CJK_FONT: no font file at {override!r}")
        font_manager.fontManager.addfont(override)
        return font_manager.FontProperties(fname=override).get_name()
    files = bundled_fonts()
    for path in files:
        font_manager.fontManager.addfont(str(path))
    return BUNDLED if files else None


@cache
def cjk_font() -> str | None:
    """The family name of the Chinese font figures use (registered with matplotlib), or None
    with one warning when there is none."""
    family = _registered()
    if family is None:
        warnings.warn(
            "No Chinese (CJK) font: figures use English labels. Install the course with its "
            "dependencies (pip install csat-workshop), or set CSAT_CJK_FONT to a font file.",
            stacklevel=2,
        )
    return family


def figure_lang(lang: str) -> str:
    """The language a figure can be drawn in: ``lang``, or English when ``lang`` is Chinese and
    no Chinese font exists (with the one warning :func:`cjk_font` gives)."""
    from csat import i18n

    i18n.check(lang)
    return "en" if lang == "zh" and cjk_font() is None else lang


def families(lang: str, *texts: Any) -> list[str]:
    """The font families of a figure in ``lang``: the CJK font first in a Chinese figure; in
    another figure the Latin font first, with the CJK font behind it only when one of ``texts``
    (a team's or a trainee's name) has Chinese characters."""
    if lang == "zh":
        family = cjk_font()
        return [family, LATIN] if family else [LATIN]
    if has_cjk(*texts):
        family = _registered()
        return [LATIN, family] if family else [LATIN]
    return [LATIN]


def rc(lang: str, *texts: Any, **extra: Any) -> dict[str, Any]:
    """Settings for ``plt.rc_context``: ``extra`` (font sizes …) plus the fonts of
    :func:`families`, named concretely so the figure's texts keep them when it is drawn
    later, outside the context."""
    out: dict[str, Any] = {**extra, "font.family": families(lang, *texts)}
    if lang == "zh":
        out["axes.unicode_minus"] = False
    return out


@cache
def _has_bold(family: str) -> bool:
    return any(
        f.name == family and (f.weight == "bold" or (isinstance(f.weight, int) and f.weight >= 600))
        for f in font_manager.fontManager.ttflist
    )


def weight(lang: str, *texts: Any) -> str:
    """The weight of a title in a figure of ``lang`` that may carry ``texts``: bold, unless a
    font the title needs has no bold face (a ``CSAT_CJK_FONT`` without one), where asking for
    bold would make matplotlib fake it or warn."""
    needs = families(lang, *texts)[: 2 if lang != "zh" and has_cjk(*texts) else 1]
    return "bold" if all(f == LATIN or _has_bold(f) for f in needs) else "normal"


def letter(fig, lang: str) -> None:
    """Give every text of a finished ``fig`` the families of :func:`families` for its own
    words, and drop bold where its font has none: for figures whose texts (trainee names,
    exercise titles) are only known while drawing."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        words = text.get_text()
        text.set_fontfamily(families(lang, words))
        if text.get_fontweight() in ("bold", 700) and weight(lang, words) != "bold":
            text.set_fontweight("normal")


def lettered(draw):
    """Decorate a figure function taking ``lang=``: :func:`letter` the figure it returns."""

    @functools.wraps(draw)
    def wrapper(*args: Any, lang: str = "en", **kwargs: Any):
        fig = draw(*args, lang=lang, **kwargs)
        letter(fig, figure_lang(lang))
        return fig

    return wrapper
