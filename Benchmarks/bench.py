#!/usr/bin/env python3
"""Interleaved benchmark of `boldsign-idv` against the curl CLI on the same local server.

Prints a Markdown table: median wall time, CPU time and peak RSS per case and tool, the ratio to
curl, the min-max spread, and whether every output's SHA-256 matched. A plain C libcurl client
(Benchmarks/reference-client.c) runs every case too (parallel ones through one multi handle), as the
yardstick for what libcurl itself allows on this machine; and again delivering its files as
boldsign-idv does (temporary file, fsync, link, directory fsync), to show what that costs.
See Benchmarks/README.md.
"""
import argparse, hashlib, json, os, shutil, statistics, subprocess, sys, tempfile, threading, time

# Each size is its own document, so that a static server (nginx) can tell them apart by the query alone.
DOCUMENTS = {"bench-64k": "b3c4d5e6-0000-4000-8000-000000000064", "bench-1m": "b3c4d5e6-0000-4000-8000-000000000001",
             "bench-64m": "b3c4d5e6-0000-4000-8000-000000000640", "bench-1g": "b3c4d5e6-0000-4000-8000-000000001024"}
SIZES = {"bench-64k": 64 << 10, "bench-1m": 1 << 20, "bench-64m": 64 << 20, "bench-1g": 1 << 30}
EMAIL = "bench@example.com"
KEY = "bench-api-key"
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures.json")


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def timed(argv, env=None):
    """Runs argv under GNU time; returns (wall s, cpu s, peak RSS KiB).

    Wall time is measured here (GNU time's %e has 10 ms steps); the ~1 ms that GNU time itself adds
    is the same for both tools."""
    fmt = "%e %U %S %M"
    out = tempfile.NamedTemporaryFile(delete=False)
    out.close()
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-o", out.name, "-f", fmt] + argv, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    text = open(out.name).read().strip().splitlines()[-1]
    os.unlink(out.name)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stderr.decode()[-2000:]}")
    _, user, system, rss = text.split()
    return elapsed, float(user) + float(system), int(rss)


class Bench:
    def __init__(self, bin_dir, work, base_url, reference, ca=None, baseline=None):
        self.bin = bin_dir
        self.baseline = baseline
        self.reference = reference
        self.work = work
        self.url = base_url
        self.ca = ca
        # BOLDSIGN_BASE_URL as well as --base-url: nothing here may ever reach the real API.
        self.env = dict(os.environ, BOLDSIGN_API_KEY=KEY, BOLDSIGN_BASE_URL=base_url)
        self.headers = os.path.join(work, "curl-headers")
        with open(self.headers, "w") as f:
            f.write(f"X-API-KEY: {KEY}\nContent-Type: application/json\n")
        self.hashes = {}

    def expected(self, file_id):
        if file_id not in self.hashes:
            gen = subprocess.run(f"'{self.bin}/boldsign-mock' generate --fixtures '{FIXTURES}' --file-id {file_id} | sha256sum",
                                 shell=True, capture_output=True, text=True, check=True)
            self.hashes[file_id] = gen.stdout[:64]
        return self.hashes[file_id]

    def image_url(self, file_id):
        return f"{self.url}/v1/identityVerification/image?documentId={DOCUMENTS[file_id]}"

    def over(self, url, proto):
        """The same benchmark against another server (the TLS one), speaking `proto` ("1.1" or "2")."""
        other = Bench(self.bin, self.work, url, None, self.ca, self.baseline)
        other.hashes = self.hashes
        other.proto = proto
        return other

    proto = None

    def ours_tls(self):
        return ["--ca-file", self.ca, "--http-version", self.proto] if self.proto else []

    def curl_tls(self):
        return ["--cacert", self.ca, "--http2" if self.proto == "2" else "--http1.1"] if self.proto else []

    def body(self, file_id):
        return json.dumps({"emailId": EMAIL, "fileId": file_id})

    # One image per process.
    def ours_single(self, file_id, out):
        return [f"{self.bin}/boldsign-idv", "image", "--base-url", self.url, "--document-id", DOCUMENTS[file_id], "--email", EMAIL,
                "--file-id", file_id, "--output", out, "--overwrite", "--quiet"] + self.ours_tls()

    def baseline_single(self, file_id, out):
        return [f"{self.baseline}/boldsign-idv"] + self.ours_single(file_id, out)[1:]

    def curl_single(self, file_id, out):
        return ["curl", "-sS", "-f", "-o", out, "-X", "POST", "-H", f"@{self.headers}", "--data-binary", self.body(file_id)] + \
            self.curl_tls() + [self.image_url(file_id)]

    def reference_single(self, file_id, out, atomic=False):
        return [self.reference] + (["-a"] if atomic else []) + [self.image_url(file_id), self.body(file_id), f"X-API-KEY: {KEY}", out]

    def atomic_single(self, file_id, out):
        return self.reference_single(file_id, out, atomic=True)

    def reference_batch(self, file_id, count, directory, concurrency, atomic=False):
        parallel = ["-j", str(concurrency)] if concurrency > 1 else []
        return [self.reference] + (["-a"] if atomic else []) + parallel + [self.image_url(file_id), self.body(file_id), f"X-API-KEY: {KEY}"] + \
            [os.path.join(directory, f"{i}.jpg") for i in range(count)]

    def atomic_batch(self, file_id, count, directory, concurrency):
        return self.reference_batch(file_id, count, directory, concurrency, atomic=True)

    # Many images in one process.
    def manifest(self, file_id, count, directory):
        path = os.path.join(self.work, f"manifest-{file_id}-{count}.jsonl")
        with open(path, "w") as f:
            for i in range(count):
                f.write(json.dumps({"documentId": DOCUMENTS[file_id], "emailId": EMAIL, "fileId": file_id, "output": f"{i}.jpg"}) + "\n")
        return path

    def ours_batch(self, file_id, count, directory, concurrency):
        return [f"{self.bin}/boldsign-idv", "batch", self.manifest(file_id, count, directory), "--base-url", self.url,
                "--output-dir", directory, "--concurrency", str(concurrency), "--quiet"] + self.ours_tls()

    def baseline_batch(self, file_id, count, directory, concurrency):
        return [f"{self.baseline}/boldsign-idv"] + self.ours_batch(file_id, count, directory, concurrency)[1:]

    def curl_batch(self, file_id, count, directory, concurrency):
        config = os.path.join(self.work, f"curl-{file_id}-{count}.conf")
        with open(config, "w") as f:
            f.write('silent\nshow-error\nfail\nrequest = "POST"\n')
            f.write(f'header = "@{self.headers}"\n')
            f.write("data-binary = " + json.dumps(self.body(file_id)) + "\n")
            if self.proto:
                f.write(f'cacert = "{self.ca}"\n' + ("http2\n" if self.proto == "2" else "http1.1\n"))
            for i in range(count):
                f.write(f'url = "{self.image_url(file_id)}"\noutput = "{directory}/{i}.jpg"\n')
        argv = ["curl", "-K", config]
        if concurrency > 1:
            argv += ["--parallel", "--parallel-max", str(concurrency)]
        return argv


def rotated(tools, round_):
    """The tools in a different order each round: whoever runs right after the previous round's checksums
    and deletions (or right after another tool's 200 MiB of writes) is not always the same one."""
    shift = round_ % len(tools)
    return list(tools[shift:]) + list(tools[:shift])


def fresh_dir(work, name):
    path = os.path.join(work, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, mode=0o700)
    return path


def disk_floor(root, count, threads, mode):
    """Seconds to write `count` 1 MiB files with `threads` threads, each into a temporary file linked into
    place, with no network: nothing synced ("none"), each file synced before its link ("file"), or each
    file and then its directory ("file+dir", what a durable download does). What the disk costs by itself."""
    directory = fresh_dir(root, f"floor-{mode}")
    data = os.urandom(1 << 20)
    dirfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    names = iter(range(count))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                index = next(names, None)
            if index is None:
                return
            temporary, final = os.path.join(directory, f".{index}.partial"), os.path.join(directory, f"{index}.jpg")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, data)
            if mode != "none":
                os.fsync(fd)
            os.close(fd)
            os.link(temporary, final)
            os.unlink(temporary)
            if mode == "file+dir":
                os.fsync(dirfd)

    started = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    took = time.monotonic() - started
    os.close(dirfd)
    shutil.rmtree(directory)
    return took


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reference", help="the compiled reference-client.c (optional)")
    parser.add_argument("--floor", help="the compiled floor.swift (optional)")
    parser.add_argument("--tls-url", help="the same bodies over TLS 1.3 with HTTP/2 offered (nginx): the HTTPS cases")
    parser.add_argument("--tls-log", help="that server's access log, one connection number per line: connections per run")
    parser.add_argument("--ca", help="the CA that signed the TLS server's certificate")
    parser.add_argument("--disk-work", help="a directory on a real disk (not tmpfs): the batch cases whose files must be durable")
    parser.add_argument("--baseline-bin", help="another build's release folder: its boldsign-idv runs in every case too, interleaved (an A/B)")
    parser.add_argument("--slow-url", help="the same server at 256 KiB/s (optional): allocations while waiting on the network")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round: keeps the script from rotting")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the cases whose name contains this text (repeatable); skips the RSS, floor and allocation extras")
    args = parser.parse_args()
    bench = Bench(args.bin, args.work, args.url, args.reference, args.ca, args.baseline_bin)
    ours_and_curl = ("ours", "baseline", "curl") if args.baseline_bin else ("ours", "curl")
    tools = ours_and_curl + (("reference", "atomic") if args.reference else ())
    rounds = 1 if args.smoke else args.rounds

    if args.smoke:
        singles = [("64 KiB, one process", "bench-64k"), ("1 MiB, one process", "bench-1m")]
        batches = [("20 x 64 KiB sequential", "bench-64k", 20, 1), ("20 x 64 KiB, 4 at a time", "bench-64k", 20, 4)]
    else:
        singles = [("1 GiB, one process", "bench-1g"), ("64 MiB, one process", "bench-64m"), ("1 MiB, one process", "bench-1m")]
        batches = [("200 x 1 MiB sequential", "bench-1m", 200, 1), ("200 x 1 MiB, 8 at a time", "bench-1m", 200, 8),
                   ("2000 x 64 KiB, 16 at a time", "bench-64k", 2000, 16)]
    # Over TLS (HTTP/1.1 and HTTP/2, as BoldSign is reached), against the curl CLI speaking the same protocol.
    tls_singles, tls_batches = [], []
    if args.tls_url:
        for proto in ("1.1", "2"):
            over = bench.over(args.tls_url, proto)
            label = f"HTTPS, HTTP/{proto}"
            if args.smoke:
                tls_singles.append((f"{label}: 1 MiB, one process", "bench-1m", over))
                tls_batches.append((f"{label}: 20 x 64 KiB, 4 at a time", "bench-64k", 20, 4, over))
            else:
                tls_singles.append((f"{label}: 64 MiB, one process", "bench-64m", over))
                tls_batches.append((f"{label}: 200 x 1 MiB, 8 at a time", "bench-1m", 200, 8, over))
                tls_batches.append((f"{label}: 16 x 64 MiB, 8 at a time", "bench-64m", 16, 8, over))
    singles = [(name, file_id, bench) for name, file_id in singles] + tls_singles
    batches = [(name, file_id, count, concurrency, bench, args.work, []) for name, file_id, count, concurrency in batches] + \
        [case + (args.work, []) for case in tls_batches]
    if args.disk_work:
        # On a real disk, where each synced file costs an fsync of it and of its directory; curl syncs nothing.
        count = 20 if args.smoke else 200
        batches.append((f"On disk: {count} x 1 MiB, 8 at a time, synced", "bench-1m", count, 8, bench, args.disk_work, []))
        batches.append((f"On disk: {count} x 1 MiB, 8 at a time, --no-sync", "bench-1m", count, 8, bench, args.disk_work, ["--no-sync"]))
    if args.only:
        singles = [case for case in singles if any(text in case[0] for text in args.only)]
        batches = [case for case in batches if any(text in case[0] for text in args.only)]

    def connections_during(run):
        """Runs `run`; returns its result and how many TLS connections the server saw meanwhile."""
        if not args.tls_log:
            return run(), None
        before = os.path.getsize(args.tls_log) if os.path.exists(args.tls_log) else 0
        result = run()
        with open(args.tls_log) as f:
            f.seek(before)
            return result, len({line.strip() for line in f if line.strip()})

    rows = []
    for name, file_id, case_bench in singles:
        case_tools = tools if case_bench is bench else ours_and_curl
        samples = {tool: [] for tool in case_tools}
        connections = {tool: [] for tool in case_tools}
        ok = True
        for round_ in range(rounds):
            for tool in rotated(case_tools, round_):  # interleaved, in turn first: every tool sees the same machine state
                out = os.path.join(args.work, f"single-{tool}.jpg")
                if os.path.exists(out):
                    os.unlink(out)
                argv = {"ours": case_bench.ours_single, "baseline": case_bench.baseline_single, "curl": case_bench.curl_single,
                        "reference": case_bench.reference_single, "atomic": case_bench.atomic_single}[tool](file_id, out)
                sample, count = connections_during(lambda: timed(argv, bench.env))
                samples[tool].append(sample)
                connections[tool].append(count)
                ok = ok and sha256(out) == bench.expected(file_id)
                os.unlink(out)
        rows.append((name, samples, ok, connections if case_bench is not bench else None, SIZES[file_id]))

    for name, file_id, count, concurrency, case_bench, root, extra in batches:
        case_tools = tools if case_bench is bench and root == args.work else ours_and_curl
        if extra:  # options a baseline build may not have
            case_tools = tuple(tool for tool in case_tools if tool != "baseline")
        samples = {tool: [] for tool in case_tools}
        connections = {tool: [] for tool in case_tools}
        ok = True
        for round_ in range(rounds):
            for tool in rotated(case_tools, round_):
                directory = fresh_dir(root, f"batch-{tool}")
                argv = {"ours": case_bench.ours_batch, "baseline": case_bench.baseline_batch, "curl": case_bench.curl_batch,
                        "reference": case_bench.reference_batch, "atomic": case_bench.atomic_batch}[tool](
                    file_id, count, directory, concurrency)
                if tool in ("ours", "baseline"):
                    argv += extra
                sample, opened = connections_during(lambda: timed(argv, bench.env))
                samples[tool].append(sample)
                connections[tool].append(opened)
                expected = bench.expected(file_id)
                ok = ok and all(sha256(os.path.join(directory, f"{i}.jpg")) == expected for i in range(count))
                shutil.rmtree(directory)
        rows.append((name, samples, ok, connections if case_bench is not bench else None, SIZES[file_id] * count))

    print("| case | tool | wall median (s) | wall min-max | CPU median (s) | CPU per GiB (s) | peak RSS median (MiB) | connections | "
          "time vs curl | RSS vs curl | sha256 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, samples, ok, connections, total_bytes in rows:
        med = {t: (statistics.median(s[0] for s in samples[t]), statistics.median(s[1] for s in samples[t]),
                   statistics.median(s[2] for s in samples[t]) / 1024) for t in samples}
        for tool in samples:
            wall, cpu, rss = med[tool]
            walls = [s[0] for s in samples[tool]]
            ratio_t = f"{wall / med['curl'][0]:.2f}" if tool != "curl" and med["curl"][0] > 0 else ""
            ratio_m = f"{rss / med['curl'][2]:.2f}" if tool != "curl" else ""
            opened = f"{max(connections[tool])}" if connections else ""
            label = {"ours": "boldsign-idv", "baseline": "boldsign-idv, baseline build", "curl": "curl", "reference": "C reference client",
                     "atomic": "C reference client, atomic files"}[tool]
            print(f"| {name} | {label} | {wall:.3f} | {min(walls):.3f}-{max(walls):.3f} | {cpu:.3f} | {cpu / (total_bytes / 2**30):.2f} | "
                  f"{rss:.1f} | {opened} | {ratio_t} | {ratio_m} | {'ok' if ok else 'MISMATCH'} |")

    if any(name.startswith("On disk") for name, *_ in batches):
        count = 20 if args.smoke else 200
        floor = {mode: statistics.median(disk_floor(args.disk_work, count, 8, mode) for _ in range(rounds)) for mode in ("none", "file", "file+dir")}
        print()
        print(f"Disk floor without network ({count} x 1 MiB written by 8 threads, each into a temporary file linked into place): "
              f"nothing synced {floor['none']:.3f} s, each file synced {floor['file']:.3f} s, each file and its directory synced "
              f"{floor['file+dir']:.3f} s")

    if args.only:
        if not all(row[2] for row in rows):
            sys.exit("some outputs did not match their SHA-256")
        return

    # Peak RSS of large batches (ours only): must not grow with the number of items.
    sizes = (10, 200) if args.smoke else (50, 5000)
    rss = {}
    for count in sizes:
        directory = fresh_dir(args.work, f"rss-{count}")
        rss[count] = timed(bench.ours_batch("bench-64k", count, directory, 8), bench.env)[2] / 1024
        shutil.rmtree(directory)
    print()
    print(f"Peak RSS of a batch: {sizes[0]} items {rss[sizes[0]]:.1f} MiB, {sizes[1]} items {rss[sizes[1]]:.1f} MiB "
          f"(difference {rss[sizes[1]] - rss[sizes[0]]:.1f} MiB)")

    # Peak RSS against the manifest's length (ours only): every output already present, so nothing is
    # sent and only reading the manifest and going through its items is measured.
    lines = (1000, 20_000) if args.smoke else (1000, 1_000_000)
    manifest_rss = {}
    for count in lines:
        directory = fresh_dir(args.work, f"manifest-{count}")
        for index in range(count):
            os.close(os.open(os.path.join(directory, f"{index}.jpg"), os.O_CREAT | os.O_WRONLY, 0o600))
        manifest_rss[count] = timed(bench.ours_batch("bench-64k", count, directory, 8), bench.env)[2] / 1024
        shutil.rmtree(directory)
    print(f"Peak RSS against manifest length (every output present): {lines[0]:,} lines {manifest_rss[lines[0]]:.1f} MiB, "
          f"{lines[1]:,} lines {manifest_rss[lines[1]]:.1f} MiB (difference {manifest_rss[lines[1]] - manifest_rss[lines[0]]:.1f} MiB)")

    if args.floor:
        floors = {mode: statistics.median(timed([args.floor, mode])[2] for _ in range(5)) / 1024 for mode in ("curl", "json")}
        curl_rss = statistics.median(timed(["curl", "-V"])[2] for _ in range(5)) / 1024
        print(f"Peak RSS floor: a static Swift binary that only initialises libcurl {floors['curl']:.1f} MiB, plus one "
              f"FoundationEssentials JSONDecoder call {floors['json']:.1f} MiB; `curl -V` {curl_rss:.1f} MiB")

    if shutil.which("valgrind"):
        small, large = ("bench-64k", "bench-1m") if args.smoke else ("bench-1m", "bench-1g")
        counts = {f: allocations(args.bin, args.url, f, args.work) for f in (small, large)}
        text = (f"Heap allocations per process (valgrind): {small} {counts[small]}, {large} {counts[large]} "
                f"(difference {counts[large] - counts[small]})")
        if args.slow_url:
            slow = allocations(args.bin, args.slow_url, small, args.work)
            text += f"; {small} at 256 KiB/s {slow} (difference {slow - counts[small]})"
        print(text)
    else:
        print("valgrind not installed: allocation count skipped")

    if not all(row[2] for row in rows):
        sys.exit("some outputs did not match their SHA-256")


def allocations(bin_dir, url, file_id, work):
    """Heap allocations of one `boldsign-idv image` process, counted by valgrind (process-wide: libcurl's too)."""
    out = os.path.join(work, "alloc.jpg")
    if os.path.exists(out):
        os.unlink(out)
    # valgrind 3.19 cannot read the DWARF 5 the Swift toolchain emits: give it a copy without debug info.
    binary = os.path.join(work, "boldsign-idv-stripped")
    if not os.path.exists(binary):
        subprocess.run(["objcopy", "--strip-debug", f"{bin_dir}/boldsign-idv", binary], check=True)
    result = subprocess.run(["valgrind", "--tool=memcheck", "--leak-check=no", binary, "image", "--base-url", url,
                             "--document-id", DOCUMENTS[file_id], "--email", EMAIL, "--file-id", file_id, "--output", out, "--quiet"],
                            env=dict(os.environ, BOLDSIGN_API_KEY=KEY, BOLDSIGN_BASE_URL=url), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"valgrind run failed: {result.stderr[-2000:]}")
    os.unlink(out)
    for line in result.stderr.splitlines():
        if "total heap usage:" in line:
            return int(line.split("total heap usage:")[1].split("allocs")[0].replace(",", "").strip())
    sys.exit("valgrind printed no heap summary")


if __name__ == "__main__":
    main()
