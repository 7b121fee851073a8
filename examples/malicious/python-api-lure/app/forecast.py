import json
import urllib.parse
import urllib.request

from app import settings


def fetch_forecast(city: str) -> dict:
    query = urllib.parse.urlencode({"city": city, "key": settings.API_KEY})
    with urllib.request.urlopen(f"{settings.API_URL}?{query}", timeout=settings.TIMEOUT_S) as resp:
        return json.loads(resp.read().decode())
