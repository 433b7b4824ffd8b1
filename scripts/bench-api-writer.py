#!/usr/bin/env python3
"""The writer of scripts/bench-api's fourth load: POST /v1/documents at a fixed rate.

Each request is one document on a pair of the tenant (the pairs the readers ask about), a new
doc_ref each time, so every write changes a pair's figures. Requests are due at a fixed rate
(open loop): the n-th is due n / RATE seconds after the start, whatever the earlier answers took,
and is sent by the first of a few keep-alive connections that is free. Its latency counts from the
moment it was due, so a writer that falls behind shows it in its p99 (a closed loop that pauses
after each answer would instead just ask less often, and hide the wait).

Usage: bench-api-writer.py BASE_URL WRITES_FILE TOKEN RATE DURATION_S
  WRITES_FILE: `client_ref,debtor_ref,currency,amount,issue_date,due_date` lines.
Prints one line: `bench-api-writer: requests=N rps=R p50_us=U p99_us=U non_2xx=N late=N`,
rps being the answers received per second of the run, `late` the requests sent more than
one period after they were due.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

# Enough connections that one slow answer does not hold back the next ones due.
CONNECTIONS = 8


def main() -> None:
    base, writes_file, token, rate, duration = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
    url = urllib.parse.urlsplit(base)
    with open(writes_file) as handle:
        lines = [line.strip().split(",") for line in handle if line.strip()]
    if not lines:
        sys.exit(f"bench-api-writer.py: no line in {writes_file}")
    total = int(rate * duration)
    period = 1.0 / rate
    start = time.monotonic() + 0.05
    lock = threading.Lock()
    next_index = [0]
    latencies: list[float] = []
    failures = [0]
    late = [0]

    def body(index: int) -> bytes:
        client, debtor, currency, amount, issue, due = lines[index % len(lines)][:6]
        document = {
            "doc_ref": f"BW{index}", "client_ref": client, "debtor_ref": debtor, "kind": "invoice", "currency": currency,
            "amount": amount, "open_amount": amount, "issue_date": issue, "due_date": due,
        }
        return json.dumps({"documents": [document]}).encode()

    def worker() -> None:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                break
            due = start + index * period
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            elif -wait > period:
                with lock:
                    late[0] += 1
            try:
                connection.request("POST", "/v1/documents", body=body(index), headers=headers)
                response = connection.getresponse()
                response.read()
                ok = 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
                ok = False
            answered = time.monotonic()
            with lock:
                latencies.append(answered - due)
                if not ok:
                    failures[0] += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.monotonic() - start, duration)
    ordered = sorted(latencies)

    def percentile(p: float) -> int:
        if not ordered:
            return 0
        rank = max(1, -(-len(ordered) * p // 100))  # nearest rank
        return int(ordered[int(rank) - 1] * 1_000_000)

    print(f"bench-api-writer: requests={len(ordered)} rps={len(ordered) / elapsed:.2f} "
          f"p50_us={percentile(50)} p99_us={percentile(99)} non_2xx={failures[0]} late={late[0]}")


if __name__ == "__main__":
    main()
