import subprocess


def listing() -> str:
    return subprocess.run(["ls", "-l"], capture_output=True, text=True, check=True).stdout


if __name__ == "__main__":
    print(listing())
