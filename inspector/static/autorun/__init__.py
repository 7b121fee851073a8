"""Auto-run surfaces: what runs without the user meaning to, resolved to the files it runs."""

from inspector.static.autorun.escalate import closure, escalate, references_to, surfaces_of
from inspector.static.autorun.surfaces import SurfaceHit, find_surfaces

__all__ = ["SurfaceHit", "closure", "escalate", "find_surfaces", "references_to", "surfaces_of"]
