import json
import sys

import requests


def main(user: str) -> None:
    resp = requests.get(f"https://api.github.com/users/{user}", timeout=10)
    resp.raise_for_status()
    print(json.dumps(resp.json(), indent=2))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "octocat")
