#!/usr/bin/env python3
"""A parallel burst of wrong sign-ins against a fresh kiwi (SQLite, demo city).

1. `--requests` (500) wrong sign-ins at once from one client address, each for a different
   unknown address, so only the per-client limit stands in the way. kiwi's memory (VmRSS,
   VmHWM) is sampled throughout: the peak must stay under `--max-mib` (200). A 422 answer
   means kiwi checked a password; at most the per-client limit may be checked.
2. `--guesses` (40) wrong passwords at once for one known account, from another address:
   at most the per-account limit (5) may be answered 422, the rest must be 429.
3. The owner of that account, from a third address, signs in with the right password:
   it must work within `--owner-wait` seconds (60).

With `--trust-proxy` kiwi runs with KIWI_TRUST_PROXY=true and KIWI_TRUSTED_PROXIES=127.0.0.1/32
as behind nginx, and every request carries a made-up `Forwarded: for=` and a made-up first
entry of `X-Forwarded-For`, followed by the address "the proxy saw" (one per phase): kiwi
must count the proxy's entry, not the client's inventions.

The client addresses are loopback addresses (127.0.0.2, …): Linux answers all of 127/8.
If kiwi passes `--kill-above-mib` (2048) it is killed, so a broken build cannot take the
machine down.
"""

import argparse
import random
import threading
import time

import kiwi
from kiwi import check

PER_CLIENT_LIMIT = 30
PER_ACCOUNT_LIMIT = 5


def burst(port, count, make_request):
    """Sends `count` requests at the same moment (one thread and connection each); returns
    the list of statuses (0 for no answer)."""
    statuses = [0] * count
    gate = threading.Barrier(count)

    def one(i):
        try:
            gate.wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
        try:
            statuses[i] = make_request(i)[0]
        except OSError:
            statuses[i] = 0

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return statuses


def tally(statuses):
    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{counts[s]}×{s or 'no answer'}" for s in sorted(counts))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--guesses", type=int, default=40)
    parser.add_argument("--max-mib", type=float, default=200)
    parser.add_argument("--kill-above-mib", type=float, default=2048)
    parser.add_argument("--owner-wait", type=float, default=60)
    parser.add_argument("--trust-proxy", action="store_true")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    mode = "behind a proxy" if args.trust_proxy else "direct"
    env = {}
    if args.trust_proxy:
        env = {"KIWI_TRUST_PROXY": "true", "KIWI_TRUSTED_PROXIES": "127.0.0.1/32"}

    def spoofed(seen_by_proxy):
        """Headers of a client that makes up its address, behind a proxy that appends the
        address it saw (and, like the README's nginx, passes `Forwarded` on untouched)."""
        if not args.trust_proxy:
            return {}
        made_up = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        other = f"172.16.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        return {"X-Forwarded-For": f"{made_up}, {seen_by_proxy}", "Forwarded": f"for={other}"}

    with kiwi.Kiwi(env=env, keep=args.keep) as server:
        server.seed_demo()
        server.start()
        port = server.port
        sampler = kiwi.MemorySampler(server.proc.pid, args.kill_above_mib)
        before = sampler.rss_mib()
        sampler.start()

        # 1. many unknown accounts from one client
        source = "127.0.0.2"
        cookie, csrf = kiwi.sign_in_form(port, source)
        headers = [spoofed("192.0.2.1") for _ in range(args.requests)]
        started = time.time()
        statuses = burst(port, args.requests, lambda i: kiwi.post_sign_in(
            port, cookie, csrf, f"nobody{i}@burst.example", "wrong", extra=headers[i],
            source=source))
        seconds = time.time() - started
        time.sleep(1)
        after = sampler.rss_mib()
        checked = statuses.count(422)
        if sampler.killed:
            check(f"sign-in burst memory ({mode})", False,
                  f"killed above {args.kill_above_mib:.0f} MiB during {args.requests} "
                  f"parallel sign-ins (started at {before:.0f} MiB)")
            kiwi.finish()
        check(f"sign-in burst memory ({mode})", sampler.peak_mib < args.max_mib,
              f"peak {sampler.peak_mib:.0f} MiB (target < {args.max_mib:.0f}), "
              f"{before:.0f} MiB before, {after:.0f} MiB after, {args.requests} requests in "
              f"{seconds:.1f} s")
        check(f"per-client limit under a burst ({mode})", checked <= PER_CLIENT_LIMIT,
              f"{checked} passwords checked of {args.requests} (limit {PER_CLIENT_LIMIT}); "
              f"answers {tally(statuses)}")
        check(f"no 5xx under the burst ({mode})", not any(s >= 500 for s in statuses),
              f"answers {tally(statuses)}")

        # 2. one known account, many guesses at once, from another client
        source = "127.0.0.3"
        cookie, csrf = kiwi.sign_in_form(port, source)
        headers = [spoofed("192.0.2.2") for _ in range(args.guesses)]
        statuses = burst(port, args.guesses, lambda i: kiwi.post_sign_in(
            port, cookie, csrf, kiwi.EMPLOYEE, f"guess-{i}", extra=headers[i],
            source=source))
        checked = statuses.count(422)
        check(f"per-account limit under parallel guesses ({mode})",
              checked <= PER_ACCOUNT_LIMIT and checked + statuses.count(429) == args.guesses,
              f"{checked} of {args.guesses} guesses checked (limit {PER_ACCOUNT_LIMIT}), "
              f"answers {tally(statuses)}")

        # 3. the owner, from a third client, shortly after
        source = "127.0.0.4"
        started = time.time()
        status = 0
        while True:
            cookie, csrf = kiwi.sign_in_form(port, source)
            status = kiwi.post_sign_in(port, cookie, csrf, kiwi.EMPLOYEE, kiwi.DEMO_PASSWORD,
                                       extra=spoofed("192.0.2.3"), source=source)[0]
            waited = time.time() - started
            if status == 303 or waited > args.owner_wait:
                break
            time.sleep(2)
        check(f"owner signs in after the guesses ({mode})", status == 303,
              f"answer {status} after {waited:.0f} s (bound {args.owner_wait:.0f} s)")

        sampler.stop()
        check(f"no panics ({mode})", server.panics() == 0, f"{server.panics()} in the log")
    kiwi.finish()


if __name__ == "__main__":
    main()
