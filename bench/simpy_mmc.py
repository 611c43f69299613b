#!/usr/bin/python3
"""M/M/c reference for `npm run bench -- kernel`: the same model in SimPy, to compare customers/s.

Debian's python3-simpy is SimPy 2.3 (module `SimPy`, classic process API), installed for Debian's own
interpreter: run it as `/usr/bin/python3 bench/simpy_mmc.py --customers 200000` (a pyenv python3 on
PATH will not see it). Each customer is a process that requests one of `servers` units, holds it for an
exponential service time and releases it; a source process generates Poisson arrivals. Prints one JSON
object like bench/kernel.ts's `mmc` field.
"""
import argparse
import json
import random
import time

from SimPy.Simulation import FIFO, Process, Resource, activate, hold, initialize, now, release, request, simulate


class Stats:
    waited = 0.0
    served = 0


class Customer(Process):
    def visit(self, server, service_time):
        arrived = now()
        yield request, self, server
        Stats.waited += now() - arrived
        yield hold, self, service_time
        yield release, self, server
        Stats.served += 1


class Source(Process):
    def generate(self, customers, server, rng, lam, mu):
        for _ in range(customers):
            yield hold, self, rng.expovariate(lam)
            c = Customer()
            activate(c, c.visit(server, rng.expovariate(mu)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--customers', type=int, default=200000)
    parser.add_argument('--servers', type=int, default=4)
    parser.add_argument('--lambda', dest='lam', type=float, default=3.6)
    parser.add_argument('--mu', type=float, default=1.0)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    initialize()
    server = Resource(capacity=args.servers, qType=FIFO, monitored=False)
    source = Source()
    activate(source, source.generate(args.customers, server, rng, args.lam, args.mu))
    start = time.perf_counter()
    cpu_start = time.process_time()
    simulate(until=1e18)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({
        'simpy': 'SimPy 2.3 (Debian python3-simpy)',
        'customers': Stats.served,
        'customersPerSec': Stats.served / wall,
        'wallSeconds': wall,
        'cpuSeconds': cpu,
        'meanWait': Stats.waited / Stats.served,
        'servers': args.servers,
        'lambda': args.lam,
        'mu': args.mu,
    }))


if __name__ == '__main__':
    main()
