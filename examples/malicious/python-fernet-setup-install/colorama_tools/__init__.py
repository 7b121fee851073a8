"""Terminal colour helpers."""

RESET = "\x1b[0m"
