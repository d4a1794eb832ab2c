#!/usr/bin/env python3
"""End to end, as in production but on loopback: boldsign-mock plays BoldSign (the API, and the webhook
sender), the daemon archives. Run by ../check.sh.

50 signed webhooks: 41 valid (one for a signer with no images; half in BoldSign's published document-event
shape, `data.signerDetails[]`, the rest in the identity-verification shape, `data.signerDetail`), 4
redeliveries, 1 valid one for a signer BoldSign does not know (a job that fails for good), 2 with a forged
signature, 1 stale, 1 with a malformed header. Then hostile but validly signed webhooks: document ids `..`
and `../../etc`, an email with CR/LF, order 0, an oversized body — each refused with 400 (413) before the
queue, nothing written outside the archive; the URL-verification ping, unsigned, answered 200; and 20
events for one signer, archived with exactly one request per image. The daemon is killed with SIGKILL halfway through the downloads and
started again; every valid signer's images must then be in the archive, byte-exact and 0600, with no image
downloaded twice, and the refused webhooks must have changed nothing. Then SIGTERM with transfers in
flight: the daemon must stop within its drain bound, and finish the rest when started again.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import harness
from harness import failer, free_port, http

mock_binary, daemon_binary, work = sys.argv[1], sys.argv[2], Path(sys.argv[3])
API_KEY, SECRET = "e2e-api-key", "whsec-e2e-daemon"
DOCUMENTS = [f"{index:08x}-1111-4222-8333-444444444444" for index in range(1, 10)]
DRAIN_SECONDS = 6


fail = failer("end_to_end")


def wait_until(what, predicate, seconds=60):
    harness.wait_until(fail, what, predicate, seconds)


# --- Fixtures: 9 documents × 5 signers with a document photo and a selfie each, slowed down so that the
# kill lands halfway; one more signer with no images.
signers = []
documents = []
for d, document in enumerate(DOCUMENTS):
    entries = []
    for order in range(1, 6):
        email = f"signer{d}-{order}@example.com"
        files = [{"id": f"{d}-{order}-{role}", "role": role, "format": "jpeg" if role == "document" else "png",
                  "size": 40_000 + 997 * (d * 5 + order), "seed": d * 100 + order * 2 + (role == "selfie"),
                  "fault": {"latencyMilliseconds": 150}} for role in ("document", "selfie")]
        entries.append({"emailId": email, "order": order, "files": files})
        signers.append((document, email, order, [f["id"] for f in files]))
    if d == 0:
        entries.append({"emailId": "no-images@example.com", "order": 6, "files": []})
    documents.append({"id": document, "signers": entries})
# One signer for a burst of 20 events: its two images must be requested exactly twice in all.
burst_files = [{"id": f"burst-{role}", "role": role, "size": 25_000, "seed": 700 + (role == "selfie"), "fault": {"latencyMilliseconds": 300}}
               for role in ("document", "selfie")]
documents[3]["signers"].append({"emailId": "burst@example.com", "order": 9, "files": burst_files})
# Two slow signers for the SIGTERM drain: their images come after 10 s, longer than the drain bound.
slow = []
for order in (7, 8):
    files = [{"id": f"slow-{order}", "role": "document", "size": 30_000, "seed": 900 + order, "fault": {"latencyMilliseconds": 10000}}]
    documents[1]["signers"].append({"emailId": f"slow{order}@example.com", "order": order, "files": files})
    slow.append((DOCUMENTS[1], f"slow{order}@example.com", order, [files[0]["id"]]))
work.mkdir(parents=True, exist_ok=True)
fixtures = work / "fixtures.json"
fixtures.write_text(json.dumps({"credentials": {"apiKeys": [API_KEY]}, "documents": documents}))

mock = subprocess.Popen([mock_binary, "--port", "0", "--fixtures", str(fixtures), "--rate-limit", "0"], stdout=subprocess.PIPE, text=True)
mock_url = mock.stdout.readline().strip()
if not mock_url.startswith("http://"):
    fail(f"the mock did not start: {mock_url!r}")

port = free_port()
archive, database = work / "archive", work / "queue.sqlite"
config = work / "config.json"
config.write_text(json.dumps({"listenPort": port, "archiveDirectory": str(archive), "databasePath": str(database),
                              "baseURL": mock_url, "concurrency": 4, "jobTimeoutSeconds": 60, "drainSeconds": DRAIN_SECONDS}))
daemon_url = f"http://127.0.0.1:{port}"
environment = dict(os.environ, BOLDSIGN_API_KEY=API_KEY, BOLDSIGN_WEBHOOK_SECRET=SECRET, LOG_LEVEL="info")
log = open(work / "daemon.log", "a")


def start_daemon():
    process = subprocess.Popen([daemon_binary, "--config", str(config)], env=environment, stdout=log, stderr=log)
    wait_until("/healthz", lambda: healthy(process))
    return process


def healthy(process):
    if process.poll() is not None:
        fail(f"the daemon exited with {process.returncode}; see {work / 'daemon.log'}")
    try:
        return http("GET", daemon_url + "/healthz")[0] == 200
    except OSError:
        return False


def post_raw(body, headers):
    request = urllib.request.Request(daemon_url + "/webhooks/boldsign", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def queued_events():
    with sqlite3.connect(database) as db:
        return {row[0] for row in db.execute("SELECT eventId FROM job").fetchall()}


def send(document, email, order, event_id, **extra):
    delivery = {"url": daemon_url + "/webhooks/boldsign", "secret": SECRET, "eventType": "IdentityVerificationSucceeded",
                "eventId": event_id, "documentId": document, "emailId": email, "order": order, **extra}
    status, body = http("POST", mock_url + "/__admin/webhooks", delivery)
    if status != 200:
        fail(f"the mock could not deliver a webhook: {status} {body!r}")
    return json.loads(body)["status"]


def stats():
    return json.loads(http("GET", mock_url + "/__admin/stats")[1])


def metric(name):
    text = http("GET", daemon_url + "/metrics")[1].decode()
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name) and not line.startswith("#"))


def archived(document, order, file_ids):
    directory = archive / document / f"signer-{order}"
    return directory.is_dir() and len([p for p in directory.iterdir() if not p.name.startswith(".")]) == len(file_ids)


daemon = start_daemon()
valid, refused = signers[:40], signers[40:44]
statuses = []
for index, (document, email, order, _) in enumerate(valid):
    statuses.append(send(document, email, order, f"evt-{index}", shape="document" if index % 2 else "identityVerification"))
statuses.append(send(DOCUMENTS[0], "no-images@example.com", 6, "evt-no-images"))
for index in range(4):  # BoldSign redelivers: same event id
    document, email, order, _ = valid[index * 7]
    statuses.append(send(document, email, order, f"evt-{index * 7}"))
statuses.append(send(DOCUMENTS[2], "stranger@example.com", 9, "evt-unknown-signer"))
forged = [send(*refused[0][:3], "evt-forged-1", signatureOverride=f"t={int(time.time())}, s0={'ab' * 32}"),
          send(*refused[1][:3], "evt-forged-2", secret="whsec-not-ours"),
          send(*refused[2][:3], "evt-stale", signedAt=int(time.time()) - 3600),
          send(*refused[3][:3], "evt-malformed", signatureOverride="s0=nothing")]
if statuses != [200] * 46:
    fail(f"valid webhooks were answered {statuses}")
if forged != [401, 401, 401, 400]:
    fail(f"forged, stale and malformed webhooks were answered {forged}, expected [401, 401, 401, 400]")
if metric("idv_daemon_webhooks_total") != 50 or metric('idv_daemon_webhooks_total{result="duplicate"') != 4 \
        or metric('idv_daemon_webhooks_total{result="refused",status="401"}') != 3 \
        or metric('idv_daemon_webhooks_total{result="refused",status="400"}') != 1:
    fail("/metrics does not count the 50 webhooks, 4 duplicates and the refusals by status (3 × 401, 1 × 400)")
if metric("idv_daemon_queue_depth") <= 0:
    fail("/metrics shows no queue depth while work waits")

# Halfway: kill it without warning.
wait_until("half the downloads", lambda: stats()["imagesServed"] >= 40, seconds=120)
daemon.send_signal(signal.SIGKILL)
daemon.wait()
served_at_kill = stats()["imageRequests"]
daemon = start_daemon()
wait_until("every valid signer archived", lambda: all(archived(d, o, f) for d, _, o, f in valid), seconds=180)
wait_until("an empty queue", lambda: metric("idv_daemon_queue_depth") == 0, seconds=30)
if metric("idv_daemon_images_downloaded_total") <= 0 or metric('idv_daemon_job_failures_total{kind="permanent"}') != 1:
    fail("/metrics does not count the downloads after the restart and the unknown signer's failed job")
with sqlite3.connect(database) as db:
    states = dict(db.execute("SELECT eventId, state FROM job").fetchall())
    no_images = db.execute("SELECT images FROM job WHERE eventId = 'evt-no-images'").fetchone()
if len(states) != 42 or states.pop("evt-unknown-signer") != "failed" or set(states.values()) != {"done"} or no_images != (0,):
    fail(f"the queue should hold 41 done jobs (one with no image) and the unknown signer's failed one: {states}")

for document, _, order, file_ids in valid:
    for path in (archive / document / f"signer-{order}").iterdir():
        if path.name.startswith("."):
            fail(f"a temporary file was left: {path}")
        if path.stat().st_mode & 0o777 != 0o600:
            fail(f"{path} is not 0600")
    for file_id in file_ids:
        expected = subprocess.run([mock_binary, "generate", "--fixtures", str(fixtures), "--file-id", file_id],
                                  capture_output=True, check=True).stdout
        matches = [p for p in (archive / document / f"signer-{order}").iterdir() if p.read_bytes() == expected]
        if len(matches) != 1:
            fail(f"image {file_id} is not in the archive byte for byte")
for document, _, order, _ in refused:
    if (archive / document / f"signer-{order}").exists():
        fail("a refused webhook led to a download")
if (archive / DOCUMENTS[2] / "signer-9").exists():
    fail("the failed job left a directory behind")
# Hostile but validly signed: refused before the queue, nothing outside the archive.
beside = work / "signer-1"
beside.mkdir()
before = queued_events()
hostile = [send("..", "a@example.com", 1, "evt-dotdot"), send("../../etc", "a@example.com", 1, "evt-etc"),
           send("not-a-uuid", "a@example.com", 1, "evt-not-uuid"), send(DOCUMENTS[0], "a@example.com\r\nX-Injected: 1", 1, "evt-crlf"),
           send(DOCUMENTS[0], "a@example.com", 0, "evt-order-0")]
if hostile != [400] * 5:
    fail(f"hostile webhooks were answered {hostile}, expected 400 each")
if queued_events() != before:
    fail(f"a hostile webhook was queued: {queued_events() - before}")
if not beside.is_dir() or (archive / "invalid-document-id").exists():
    fail("a hostile webhook touched the file system outside the archive")
oversized = post_raw(b"{" + b" " * (300 * 1024) + b"}", {"Content-Type": "application/json", "X-BoldSign-Signature": "t=1, s0=" + "ab" * 32})
ping = post_raw(json.dumps({"event": {"id": "ping-1", "created": int(time.time()), "eventType": "Verification"}}).encode(),
                {"Content-Type": "application/json"})
if oversized != 413 or ping != 200:
    fail(f"an oversized body was answered {oversized} (expected 413), an unsigned URL-verification ping {ping} (expected 200)")
# Counters started again with the restart: these are the hostile calls' own.
if metric('idv_daemon_webhooks_total{result="refused",status="413"}') != 1 or metric('idv_daemon_webhooks_total{result="refused",status="400"}') != 5:
    fail("/metrics does not count the 413 and the five 400s")
if queued_events() != before:
    fail("the ping or the oversized body queued a job")

requests = stats()["imageRequests"]
if requests > 80 + 8:  # every image once, plus at most the transfers the kill cut short
    fail(f"{requests} image requests for 80 images ({served_at_kill} before the kill): images were downloaded again")
print(f"end_to_end: 50 webhooks, SIGKILL halfway, restart: 80 images archived with {requests} image requests")

# 20 events for one signer at once, half in each shape: one lane at a time archives it, each image requested once.
burst_ids = [f["id"] for f in burst_files]
for index in range(20):
    if send(DOCUMENTS[3], "burst@example.com", 9, f"evt-burst-{index}", shape="document" if index % 2 else "identityVerification") != 200:
        fail("a burst webhook was refused")
wait_until("the burst signer archived", lambda: archived(DOCUMENTS[3], 9, burst_ids), seconds=60)
wait_until("an empty queue after the burst", lambda: metric("idv_daemon_queue_depth") == 0, seconds=60)
burst_requests = stats()["imageRequests"] - requests
if burst_requests != len(burst_ids):
    fail(f"20 events for one signer made {burst_requests} image requests for {len(burst_ids)} images")
with sqlite3.connect(database) as db:
    burst_states = {row[0] for row in db.execute("SELECT state FROM job WHERE eventId LIKE 'evt-burst-%'").fetchall()}
if burst_states != {"done"}:
    fail(f"the burst's jobs ended as {burst_states}, expected all done")
print(f"end_to_end: 20 events for one signer: {burst_requests} image requests for {len(burst_ids)} images")
requests = stats()["imageRequests"]

# SIGTERM with transfers in flight: stops within the drain bound; the next start finishes the rest.
for index, (document, email, order, _) in enumerate(slow):
    if send(document, email, order, f"evt-slow-{index}") != 200:
        fail("a slow signer's webhook was refused")
wait_until("the slow transfers to start", lambda: stats()["imageRequests"] >= requests + 2, seconds=30)
started = time.time()
daemon.send_signal(signal.SIGTERM)
code = daemon.wait(timeout=DRAIN_SECONDS + 15)
took = time.time() - started
if code != 0 or took > DRAIN_SECONDS + 5:
    fail(f"SIGTERM: exit {code} after {took:.1f} s (drain bound {DRAIN_SECONDS} s)")
if any(archived(d, o, f) for d, _, o, f in slow):
    fail("the slow transfers finished before the drain bound; the test no longer cuts them short")
for document, _, order, _ in slow:
    leftovers = [p for p in (archive / document / f"signer-{order}").glob("*") if p.name.startswith(".")]
    if leftovers:
        fail(f"SIGTERM left temporary files: {leftovers}")
daemon = start_daemon()
wait_until("the slow signers archived", lambda: all(archived(d, o, f) for d, _, o, f in slow), seconds=60)
daemon.send_signal(signal.SIGTERM)
daemon.wait(timeout=DRAIN_SECONDS + 15)
mock.send_signal(signal.SIGTERM)
mock.wait(timeout=10)
log.close()
for line in (work / "daemon.log").read_text().splitlines():
    if API_KEY in line or SECRET in line or "@example.com" in line:
        fail(f"a log line carries a secret or an email: {line}")
print(f"end_to_end: SIGTERM with transfers in flight stopped in {took:.1f} s (bound {DRAIN_SECONDS} s); the restart archived them")
