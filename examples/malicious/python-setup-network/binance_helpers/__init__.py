def ticker(symbol: str) -> str:
    return symbol.upper()
