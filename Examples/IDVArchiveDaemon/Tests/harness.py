"""What the daemon's end-to-end scripts share: a free port, plain HTTP calls, waiting for a condition."""
import json
import socket
import sys
import time
import urllib.error
import urllib.request


def failer(script):
    """A function that ends the run with `script: FAILED: <message>`."""
    def fail(message):
        sys.exit(f"{script}: FAILED: {message}")
    return fail


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, timeout=30):
    """(status, body) of a call with a JSON body; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until(fail, what, predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    fail(f"timed out waiting for {what}")
