"""Hague: an evidence platform for international crimes investigations.

The package is a library; the CLI (`hague.cli`) and the web app (`hague.web`) are thin layers over it.
"""

from hague.errors import HagueError

__all__ = ["HagueError", "__version__"]
__version__ = "0.1.0"
