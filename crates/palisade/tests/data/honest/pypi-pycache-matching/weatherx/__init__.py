from .client import Cache, now
