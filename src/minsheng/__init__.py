"""Minsheng (民声): whole-process people's democracy for a district's congress, CPPCC and public."""

__version__ = "0.1.0"
