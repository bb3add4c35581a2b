"""A realistic demo case for the Ukraine situation, with files generated at run time (nothing downloaded)."""

from hague.demo.load import load_demo

__all__ = ["load_demo"]
