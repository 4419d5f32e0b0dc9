"""`python -m app` opens the main window."""

import sys

from app.main import run

sys.exit(run())
