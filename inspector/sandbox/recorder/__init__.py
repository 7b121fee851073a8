"""The recorder addon (``addon.py``), loaded by mitmdump with ``-s``; it never imports inspector."""
