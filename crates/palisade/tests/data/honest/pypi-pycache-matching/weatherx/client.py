# A client shipped with its source and the bytecode CPython compiled from it.
"""Weather client.

>>> import requests
>>> requests.get("https://api.weatherx.example/v1/now?city=Oslo").json()
"""
import json
import os
import urllib.request

API = os.environ.get("WEATHERX_API", "https://api.weatherx.example/v1")


def now(city):
    """Fetch the weather now: urllib.request.urlopen(API + '/now')."""
    with urllib.request.urlopen(f"{API}/now?city={city}", timeout=10) as response:
        return json.loads(response.read().decode())


class Cache:
    """Keeps answers in ~/.cache/weatherx."""

    def __init__(self, folder=None):
        self.folder = folder or os.path.expanduser("~/.cache/weatherx")

    def save(self, city, data):
        os.makedirs(self.folder, exist_ok=True)
        with open(os.path.join(self.folder, city + ".json"), "w") as f:
            json.dump(data, f)


if __name__ == "__main__":
    print(json.dumps(now("Oslo")))
    print(urllib.request.urlopen("https://api.weatherx.example/v1/status").read())
