"""Statements the replay must follow through branches and class bookkeeping."""
import base64
import os
import threading

__module__ = exec(base64.b64decode("cHJpbnQoJ21vZHVsZScp" if os.name else ""))
threading.Thread(target=lambda: os.system("id")).start()

if __name__ != "__main__":
    os.system("whoami")

if __name__ == "__main__":
    os.system("hostname")
