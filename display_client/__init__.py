"""The browser side: player, kiosk and counter pages as static ES modules and templates."""

from pathlib import Path
from typing import Final

STATIC_DIR: Final = Path(__file__).parent / "static"
TEMPLATE_DIR: Final = Path(__file__).parent / "templates"
