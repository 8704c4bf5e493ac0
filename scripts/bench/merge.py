"""Child of benchmark 3: ipaddress.collapse_addresses on the same inputs as mergePrefixes.

Usage: python3 scripts/bench/merge.py INPUT.json REPS  (prints JSON on stdout)
"""
import ipaddress
import json
import statistics
import sys
import time


def collapse(prefixes):
    nets = [ipaddress.ip_network(p, strict=False) for p in prefixes]
    return [str(n) for n in ipaddress.collapse_addresses(nets)]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    reps = int(sys.argv[2])
    out = {}
    for case in doc["cases"]:
        times = []
        result = None
        for _ in range(reps + 1):
            start = time.perf_counter()
            merged = [collapse(lst) for lst in case["lists"]]
            times.append((time.perf_counter() - start) * 1000)
            if result is None:
                result = merged
        out[case["id"]] = {"first": times[0], "median": statistics.median(times[1:] or times), "result": result}
    json.dump({"python": sys.version.split()[0], "cases": out}, sys.stdout)


main()
