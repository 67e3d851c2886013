#!/usr/bin/env python3
"""Aggregates several weft-benches reports: per workload, the median of each runtime's medians and
the median of weft's per-run ratio to the best peer. Usage: median_of_runs.py run1.md run2.md run3.md"""
import re,sys,statistics
files=sys.argv[1:]
def parse(f,kind):
    s=open(f).read()
    i=s.index(kind)
    rows={}
    for line in s[i:].split('\n')[2:]:
        if not line.startswith('|'): break
        c=[x.strip() for x in line.strip('|').split('|')]
        rows[c[0]]=(float(c[1]),float(c[2]),float(c[3]),float(c[4]))
    return rows
for kind,title in [("wall, median","wall time, ms"),("process CPU","process CPU time, ms"),("wrk, median","wrk, requests/s; ratio = time per request")]:
    if not all(kind in open(f).read() for f in files):
        continue
    runs=[parse(f,kind) for f in files]
    print(f"\n| workload ({title}) | weft | tokio | smol | weft / best peer (median of runs) | per run |")
    print("|---|---:|---:|---:|---:|---|")
    for w in runs[0]:
        vals=[r[w] for r in runs]
        m=lambda k: statistics.median(v[k] for v in vals)
        ratios=[v[3] for v in vals]
        fmt=(lambda x: f"{x:.0f}") if kind.startswith("wrk") else (lambda x: f"{x:.3f}")
        print(f"| {w} | {fmt(m(0))} | {fmt(m(1))} | {fmt(m(2))} | **{statistics.median(ratios):.2f}** | {' / '.join(f'{r:.2f}' for r in ratios)} |")
