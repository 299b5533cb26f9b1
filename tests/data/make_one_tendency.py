#!/usr/bin/env python3
"""Writes tests/data/one-tendency.csv: 120 outages, half at a plant and half at a web shop,
nine in ten also blaming a supplier (the integration test
`one_tendency_that_takes_a_large_unread_log_gives_way_to_its_words`). Deterministic."""
import csv, os, random
random.seed(7)
dep = ["we had no fallback when the supplier let us down", "the only vendor we rely on missed the delivery", "the third-party provider went down and we had no alternative",
       "our single supplier was out of stock for weeks", "the contractor we depend on did not turn up", "the outsourced provider failed and there was no backup supplier"]
a_obj = ["boiler", "pump", "pressure valve", "heat exchanger", "steam trap", "condensate line"]
a_evt = ["leaked at the north plant", "tripped on low pressure", "cracked during the night shift", "overheated and shut down", "lost pressure in the main loop", "started leaking water onto the floor"]
b_obj = ["checkout page", "payment form", "login page", "search results", "order confirmation email", "mobile app cart"]
b_evt = ["timed out for shoppers", "showed a blank screen", "returned errors to customers", "failed to load for an hour", "double-charged some orders", "broke after the release"]
rows = []
for i in range(120):
    d = f"2024-{1 + i % 12:02d}-{1 + (i * 7) % 27:02d}"
    tail = f"; {random.choice(dep)}." if i % 10 != 9 else "."
    if i % 2 == 0:
        rc = f"The {random.choice(a_obj)} {random.choice(a_evt)}, the boiler room flooded and the maintenance crew drained the plant pipework overnight{tail}"
        ctx = "Plant maintenance"
    else:
        rc = f"The {random.choice(b_obj)} {random.choice(b_evt)}, shoppers abandoned their baskets and customer support answered angry emails all evening{tail}"
        ctx = "Online shop"
    rows.append([d, ctx, rc, "", "", "plant" if i % 2 == 0 else "shop"])
rows.sort(key=lambda r: r[0])
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "one-tendency.csv"), "w", newline="") as f:
    w = csv.writer(f); w.writerow(["date", "context", "root_cause", "lesson", "behavioral_change", "subject"]); w.writerows(rows)
