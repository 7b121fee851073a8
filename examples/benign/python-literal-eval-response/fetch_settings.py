import ast

import requests

SETTINGS_URL = "https://api.github.com/repos/octocat/hello-world/contents/settings.txt"


def load_settings() -> dict:
    resp = requests.get(SETTINGS_URL, timeout=10)
    resp.raise_for_status()
    return ast.literal_eval(resp.text)
