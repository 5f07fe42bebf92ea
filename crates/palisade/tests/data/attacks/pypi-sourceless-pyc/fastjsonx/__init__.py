"""Fast JSON helpers."""
from ._speedups import dumps

__all__ = ["dumps"]
