"""Frames and pages written per event for each b-tree, between two page_writes_shim snapshots.

Usage: page_writes.py BEFORE AFTER STORE.db EVENTS (bench/README.md "Looking inside a run")."""
import sqlite3, sys, collections
a, b, db, events = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
def load(f):
    d = {}
    for line in open(f):
        p, w, x = map(int, line.split()); d[p] = (w, x)
    return d
A, B = load(a), load(b)
c = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
owner = dict((p, n) for n, p in c.execute('select name, pageno from dbstat'))
wal = collections.Counter(); dbw = collections.Counter(); pages = collections.Counter()
for p, (w, x) in B.items():
    w0, x0 = A.get(p, (0, 0))
    if w - w0 == 0 and x - x0 == 0: continue
    n = owner.get(p, '?unknown')
    wal[n] += w - w0; dbw[n] += x - x0; pages[n] += 1
tw, td = sum(wal.values()), sum(dbw.values())
print(f'events {events:.0f}: WAL frames {tw/events:.2f}/event ({tw*4.12/events:.1f} KB), DB page writes {td/events:.2f}/event ({td*4.096/events:.1f} KB)')
print(f'{"b-tree":36} {"wal/ev":>7} {"db/ev":>7} {"pages":>7}')
for n, w in sorted(wal.items(), key=lambda x: -x[1] - dbw[x[0]]):
    print(f'{n:36} {w/events:7.2f} {dbw[n]/events:7.2f} {pages[n]:7}')
