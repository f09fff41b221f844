"""``python -m zkmargin`` runs the ``zkm`` CLI."""

import sys

from zkmargin.cli import main

sys.exit(main())
