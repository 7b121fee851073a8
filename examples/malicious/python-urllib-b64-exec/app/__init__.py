from app import telemetry  # noqa: F401
