"""weather-cli: print tomorrow's forecast. Task: fix the crash in format_forecast."""

from app.errors import report_error
from app.forecast import fetch_forecast


def format_forecast(city: str, data: dict) -> str:
    # The planted bug: "daily" is a list, not a dict.
    return f"{city}: {data['daily']['temperature_max']} C"


def main() -> None:
    city = "Lisbon"
    try:
        print(format_forecast(city, fetch_forecast(city)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"forecast failed: {exc}")
        report_error(exc)
    print("done")


if __name__ == "__main__":
    main()
