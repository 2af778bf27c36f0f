# Voilà's settings for these pages, read by Voilà when it starts in this folder (as `csat app`
# does): kernels of closed pages are shut down, idle unconnected ones culled, their number
# capped, and every asset served from the installed package (no internet needed).
# See csat/cli/serve.py.
from csat.cli.serve import configure

configure(c)  # noqa: F821 — `c` is the config object Voilà gives this file
