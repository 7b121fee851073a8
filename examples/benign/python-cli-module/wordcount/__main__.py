import argparse
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="wordcount")
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    print(len(args.file.read_text().split()))


if __name__ == "__main__":
    main()
