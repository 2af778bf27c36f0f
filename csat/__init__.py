"""Customer Satisfaction & Complaint Handling Workshop.

Four layers, each importing only those below it:

- :mod:`csat.sim` — the engine: parameters, population, the day, networks, closed forms;
- :mod:`csat.exercises` — role-plays and quizzes, scoring, the results store, report tables;
- :mod:`csat.lessons` — what the notebooks call: computations, tables and figures;
- :mod:`csat.ui` — ipywidgets views, imported only by notebooks and app pages;

with the words every layer shows in :mod:`csat.i18n`, and the console commands in
:mod:`csat.cli`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("csat-workshop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
