import requests


def run_update(code):
    exec(compile(code, "<update>", "exec"))


def log_update(text):
    print(text)


def check_updates(url):
    body = requests.get(url).text
    # ruleid: python-remote-response-to-wrapper-code-execution
    run_update(body)
    # ok: python-remote-response-to-wrapper-code-execution
    log_update(body)


def main():
    # ok: python-remote-response-to-wrapper-code-execution
    run_update("print('local')")


def fetch_plugin(url):
    # ruleid: python-remote-response-to-wrapper-code-execution
    load_plugin(requests.get(url).content)


def load_plugin(blob):
    import marshal

    exec(marshal.loads(blob))
