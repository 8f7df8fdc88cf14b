"""Vendor limits shared by every process: 1, 2 and 3 worker processes reading one Productive
connection's status, counted on the vendor's side of the wire.

The sandboxes run in one uvicorn process, every request delayed by a latency fault, with
Productive's published limits enforced (100 requests per 10 s, 4000 per 30 min, per token: past
them it answers 429). Each worker is a plain Python process (no job queue) that runs the real
``ProductiveConnector`` in a loop (project, then its budgets) with the connection's limits in
Redis, as web and background workers share them when ``PROJECTHUB_REDIS_URL`` is set. Every
configuration uses a connection (token) of its own, so its windows start empty.

Printed per configuration: the vendor-side peak in any 10 s window against the limit, the peak in
flight against the concurrency cap, 429s, and throughput. Throughput should grow with workers
until the limit, and no window should ever exceed it. ``--what-if per-process`` gives each worker
limits of its own (what happened before: N processes, N times the allowance).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
import uuid
from typing import Any

import redis

from benchmarks.common import machine, print_table
from benchmarks.served import Served, serve
from projecthub.connectors.errors import ConnectorError
from projecthub.connectors.productive import DEFAULT_LIMITS, ProductiveConnector
from projecthub.connectors.ratelimit import process_store
from projecthub.connectors.throttle_store import RedisThrottleStore, ThrottleStore
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.productive import ORGANIZATION_ID
from projecthub.sandbox.traffic import caller_key

CAP = 4  # the Productive connector's concurrency cap, shared per connection
SHORT = DEFAULT_LIMITS[0]


def seed(sandbox: SandboxApp, *, tenants: list[str]) -> dict[str, str]:
    """One project per tenant (one tenant, i.e. one token, per configuration)."""
    productive = sandbox.vendors["productive"]
    return {name: productive.tenant(name).add_project(f"Shared limits {name}").id
            for name in tenants}


def worker(base_url: str, tenant: str, project_id: str, redis_url: str | None, namespace: str,
           start_at: float, seconds: float, tasks: int) -> dict[str, int]:
    """Read the project's status in ``tasks`` loops from ``start_at`` for ``seconds``."""
    async def run() -> dict[str, int]:
        store: ThrottleStore = (RedisThrottleStore(redis_url, namespace=namespace)
                                if redis_url else process_store())
        done = {"syncs": 0, "errors": 0}
        connector = ProductiveConnector(
            api_token=f"sandbox-{tenant}", organization_id=ORGANIZATION_ID, base_url=base_url,
            share_key=f"connection-{tenant}", throttle_store=store)

        async def loop() -> None:
            while time.time() < start_at + seconds:
                try:
                    await connector.get_project(project_id)
                    [_ async for _ in connector.iter_project_budgets(project_id)]
                    done["syncs"] += 1
                except ConnectorError:
                    done["errors"] += 1

        await asyncio.sleep(max(0.0, start_at - time.time()))
        async with connector:
            await asyncio.gather(*(loop() for _ in range(tasks)))
        await store.aclose()
        return done
    return asyncio.run(run())


def run_config(served: Served, tenant: str, workers: int, *, redis_url: str | None,
               namespace: str, seconds: float, tasks: int) -> dict[str, Any]:
    start_at = time.time() + 5.0  # every worker imported and waiting
    args = (served.url("productive"), tenant, served.manifest[tenant], redis_url, namespace,
            start_at, seconds, tasks)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(worker, [args] * workers)
    seen = served.traffic()["productive"][caller_key([(b"x-auth-token",
                                                       f"sandbox-{tenant}".encode())])]
    return {"workers": workers, "tasks": tasks, "seen": seen, "seconds": seconds,
            "errors": sum(r["errors"] for r in results)}


def row(outcome: dict[str, Any], label: str) -> list[object]:
    seen = outcome["seen"]
    short, long_ = seen["windows"]
    rate = seen["requests"] / outcome["seconds"]
    return [label, outcome["workers"] * outcome["tasks"], f"{short['peak']} / {short['limit']}",
            f"{long_['peak']} / {long_['limit']}", f"{seen['peak_in_flight']} / {CAP}",
            seen["refused"], outcome["errors"], f"{rate:.2f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--seconds", type=float, default=40.0, help="per configuration")
    parser.add_argument("--latency-ms", type=float, default=250.0)
    parser.add_argument("--tasks", type=int, default=1, help="status loops per worker")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379",
                        help="the Redis the workers share")
    parser.add_argument("--what-if", choices=("shared", "per-process"), default="shared")
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    redis_url = args.redis if args.what_if == "shared" else None
    namespace = f"projecthub-bench:{uuid.uuid4().hex}"
    tenants = {n: f"bench-{n}w-{uuid.uuid4().hex[:6]}" for n in args.workers}
    budget = SHORT.budget(CAP)
    print(f"shared_limits on {machine()}; Productive {SHORT.limit}/{SHORT.seconds}s enforced by "
          f"the sandbox, client budget {budget}/{SHORT.seconds}s (cap {CAP} in flight), latency "
          f"{args.latency_ms:g} ms, {args.tasks} loop(s) per worker, {args.seconds:g} s each, "
          f"limits {'in Redis' if redis_url else 'per process (what-if)'}")
    rows = []
    exceeded = False
    with serve("benchmarks.shared_limits:seed", latency=latency, enforce_rate_limits=True,
               tenants=list(tenants.values())) as served:
        for n in args.workers:
            outcome = run_config(served, tenants[n], n, redis_url=redis_url,
                                 namespace=namespace, seconds=args.seconds, tasks=args.tasks)
            rows.append(row(outcome, f"{n} worker{'s' if n > 1 else ''}"))
            exceeded |= outcome["seen"]["refused"] > 0
            print(f"  {rows[-1][0]}: {rows[-1][-1]} requests/s", flush=True)
    if redis_url:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*{namespace}*"):
            client.delete(key)
        client.close()
    print_table(["workers", "loops", f"peak in {SHORT.seconds} s", "peak in 30 min",
                 "peak in flight", "429s", "failed", "requests/s"], rows)
    ceiling = budget / SHORT.seconds
    print(f"ceiling {ceiling:.2f} requests/s (budget {budget} per {SHORT.seconds} s); vendor limit "
          f"{'EXCEEDED (429s)' if exceeded else 'never exceeded'}")


if __name__ == "__main__":
    main()
