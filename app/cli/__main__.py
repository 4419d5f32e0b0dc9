"""`python -m app.cli` → todoku-cli."""

import sys

from app.cli import main

sys.exit(main())
