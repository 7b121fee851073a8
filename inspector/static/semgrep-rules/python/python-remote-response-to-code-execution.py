# Inert replicas: hosts under .invalid, nothing here is a payload.
import marshal
import os
import pickle
import socket
import subprocess
import sys
import urllib.request

import httpx
import requests


def one_liner(url):
    # ruleid: python-remote-response-to-code-execution
    exec(requests.get(url).text)


def via_variable(url):
    resp = requests.post(url, json={"os": sys.platform})
    code = resp.json()["code"]
    # ruleid: python-remote-response-to-code-execution
    exec(compile(code, "<remote>", "exec"))


def urllib_marshal(url):
    data = urllib.request.urlopen(url).read()
    # ruleid: python-remote-response-to-code-execution
    exec(marshal.loads(data))


def httpx_client(url):
    with httpx.Client() as client:
        r = client.get(url)
        # ruleid: python-remote-response-to-code-execution
        return pickle.loads(r.content)


def session_shell(url):
    s = requests.Session()
    cmd = s.get(url).text
    # ruleid: python-remote-response-to-code-execution
    subprocess.run(cmd, shell=True)
    # ruleid: python-remote-response-to-code-execution
    subprocess.Popen([sys.executable, "-c", cmd])
    # ruleid: python-remote-response-to-code-execution
    os.system(cmd)


def socket_eval(host):
    sock = socket.create_connection((host, 1244))
    chunk = sock.recv(65536)
    # ruleid: python-remote-response-to-code-execution
    eval(chunk.decode())


async def aiohttp_exec(url):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            body = await resp.text()
            # ruleid: python-remote-response-to-code-execution
            exec(body)


# --- benign: parsing a response, constant commands
def parse_only(url):
    import ast
    import json

    r = requests.get(url)
    # ok: python-remote-response-to-code-execution
    value = ast.literal_eval(r.text)
    # ok: python-remote-response-to-code-execution
    return json.loads(r.text), value


def constant_subprocess():
    # ok: python-remote-response-to-code-execution
    return subprocess.run(["git", "rev-parse", "HEAD"], check=True, capture_output=True)


def version_from_file():
    # ok: python-remote-response-to-code-execution
    exec(open("pkg/version.py").read())


# Known evasion: the body is written to disk and imported later from another function.
def stage(url):
    with open("/tmp/stage.py", "w") as f:
        f.write(requests.get(url).text)


def run_stage():
    # todoruleid: python-remote-response-to-code-execution
    exec(open("/tmp/stage.py").read())
