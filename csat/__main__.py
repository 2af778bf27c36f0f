"""``python -m csat``: the same commands as ``csat``."""

import sys

from csat.cli import main

sys.exit(main())
