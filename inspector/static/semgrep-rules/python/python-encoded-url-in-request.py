import base64
import urllib.request

import requests

C2 = "aHR0cDovL3BheWxvYWQuZXhhbXBsZS5pbnZhbGlkOjEyNDQva2V5cw=="


def beacon():
    url = base64.b64decode(C2).decode()
    # ruleid: python-encoded-url-in-request
    return requests.get(url, timeout=5)


def hex_host():
    host = bytes.fromhex("6578616d706c652e696e76616c6964").decode()
    # ruleid: python-encoded-url-in-request
    return urllib.request.urlopen("http://" + host + ":1224/api/checkStatus")


def plain():
    # ok: python-encoded-url-in-request
    return requests.get("https://api.example.invalid/v1/items")


def decoded_body(token):
    # ok: python-encoded-url-in-request
    return requests.post("https://api.example.invalid/login", data=base64.b64decode(token))
