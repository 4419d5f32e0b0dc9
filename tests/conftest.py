"""Test set-up shared by every suite: offscreen Qt before anything imports it."""

import os

# Must happen before PySide6 is imported anywhere (pytest-qt imports it when it loads).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")
