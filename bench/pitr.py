"""The saves and the checks of bench/pitr.sh, through a running `klade serve` as the demo teacher
`skolotajs`. Standard library only.

  python3 bench/pitr.py --base URL batch-a --out a.json
      In each of the teacher's first COURSES courses, a new assessment "PITR A" with a grade for
      every student and an absence in an empty attendance cell: one save (one request, one
      transaction) per student.
  python3 bench/pitr.py --base URL mistake --a a.json --out b.json
      The mistake: every grade in those courses (batch A's and the ones before it) overwritten
      with 1, one save per course, as a wrong column pasted over the right one. Each cell's value
      before the mistake is kept in b.json.
  python3 bench/pitr.py --base URL check --a a.json --b b.json --expect restored|mistake
      Every cell of batch A holds A's value; with `restored`, every cell the mistake touched holds
      its value from before it (none holds the mistake's), with `mistake` the mistake's value. Also
      signs in through the login form and loads the home page and the first course's grid page
      (which must show batch A's assessment).
"""

import argparse
import http.cookiejar
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

COURSES = 3
TIMEOUT = 30


def call(method, url, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def must(method, url, token=None, body=None):
    s, b = call(method, url, token, body)
    if not 200 <= s < 300:
        sys.exit("%s %s: %s %s" % (method, url, s, b[:300]))
    return json.loads(b) if b else None


def login(base):
    for _ in range(120):
        try:
            s, b = call("POST", base + "/api/v1/auth/login", body={"username": "skolotajs", "password": "demo"})
            if s == 200:
                return json.loads(b)["token"]
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("cannot sign in as skolotajs")


def cells_of(grid):
    return {c["key"]: c.get("value") or "" for c in grid["cells"] if c.get("key")}


def grid(base, token, course):
    return must("GET", "%s/api/v1/courses/%d/grid" % (base, course), token)


def batch_a(args):
    token = login(args.base)
    courses = [c["id"] for c in must("GET", args.base + "/api/v1/courses", token)]
    saved, n, t0 = {}, 0, time.time()
    for course in courses:
        g = grid(args.base, token, course)
        if not g["students"]:
            continue
        have = cells_of(g)
        lessons = [col["Lesson"] for col in g["columns"] if col.get("Lesson")]
        if not lessons:
            continue
        newest = max(lesson["date"] for lesson in lessons)
        a = must("POST", "%s/api/v1/courses/%d/assessments" % (args.base, course), token,
                 {"kind": "formative", "scale": "ten", "date": newest, "title": "PITR A"})
        empty = [
            "a:%s:%s:%s" % (lesson["date"], lesson["lesson_no"], s["id"])
            for lesson in sorted(lessons, key=lambda l: (l["date"], l["lesson_no"]), reverse=True)
            for s in g["students"]
        ]
        empty = [k for k in empty if k not in have]
        for i, s in enumerate(g["students"]):
            cells = [{"key": "g:%d:%s" % (a["id"], s["id"]), "value": str(i % 6 + 5)}]
            if empty:
                cells.append({"key": empty.pop(), "value": "n"})
            must("POST", "%s/api/v1/courses/%d/cells" % (args.base, course), token,
                 {"reason": "batch A", "cells": cells})
            n += 1
            for c in cells:
                saved["%d|%s" % (course, c["key"])] = c["value"]
        if len({k.split("|")[0] for k in saved}) >= COURSES:
            break
    with open(args.out, "w") as f:
        json.dump(saved, f, indent=1)
    print("batch A: %d saves, %d cells in %d courses (%.1f s)"
          % (n, len(saved), len({k.split("|")[0] for k in saved}), time.time() - t0))


def mistake(args):
    token = login(args.base)
    a = json.load(open(args.a))
    courses = sorted({int(k.split("|")[0]) for k in a})
    before, n, t0 = {}, 0, time.time()
    for course in courses:
        have = cells_of(grid(args.base, token, course))
        cells = [{"key": k, "value": "1"} for k, v in have.items() if k.startswith("g:") and v != "1"]
        if not cells:
            continue
        must("POST", "%s/api/v1/courses/%d/cells" % (args.base, course), token,
             {"reason": "batch B", "cells": cells})
        n += 1
        for c in cells:
            before["%d|%s" % (course, c["key"])] = {"before": have[c["key"]], "mistake": "1"}
    with open(args.out, "w") as f:
        json.dump(before, f, indent=1)
    print("batch B (the mistake): %d saves overwrote %d grades with 1 (%d of them batch A's) (%.1f s)"
          % (n, len(before), sum(1 for k in before if k in a), time.time() - t0))


def browser_page(base, course):
    """Signs in through the login form, as a browser does; the status of the home page and of the
    course's grid page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login", timeout=TIMEOUT).read()
    csrf = next(c.value for c in jar if c.name == "klade_csrf")
    form = urllib.parse.urlencode({"csrf": csrf, "username": "skolotajs", "password": "demo"}).encode()
    opener.open(urllib.request.Request(base + "/login", data=form), timeout=TIMEOUT).read()
    out = []
    for path, words in (("/", None), ("/journal/%d" % course, "PITR A")):
        try:
            with opener.open(base + path, timeout=TIMEOUT) as r:
                body = r.read().decode("utf-8", "replace")
                # Not sent back to the login form, and the grid shows batch A's assessment.
                fine = urllib.parse.urlparse(r.geturl()).path == path and (words is None or words in body)
                out.append((path, r.status, fine))
        except urllib.error.HTTPError as e:
            out.append((path, e.code, False))
    return out


def check(args):
    token = login(args.base)
    a = json.load(open(args.a))
    b = json.load(open(args.b))
    courses = sorted({int(k.split("|")[0]) for k in list(a) + list(b)})
    now = {}
    for course in courses:
        for k, v in cells_of(grid(args.base, token, course)).items():
            now["%d|%s" % (course, k)] = v
    problems = []
    for k, v in a.items():
        want = b[k]["mistake"] if args.expect == "mistake" and k in b else v
        if now.get(k, "") != want:
            problems.append("%s: %r, not %r" % (k, now.get(k, ""), want))
    b_only = [k for k in b if k not in a]
    for k in b_only:
        want = b[k]["mistake"] if args.expect == "mistake" else b[k]["before"]
        if now.get(k, "") != want:
            problems.append("%s: %r, not %r" % (k, now.get(k, ""), want))
    pages = browser_page(args.base, courses[0])
    for path, status, signed_in in pages:
        if status != 200 or not signed_in:
            problems.append("page %s: %s%s" % (path, status, "" if signed_in else ", not as expected"))
    a_ok = sum(1 for k, v in a.items() if now.get(k, "") == v)
    b_there = sum(1 for k in b if now.get(k, "") == b[k]["mistake"])
    print("check (%s): batch A %d of %d cells hold A's value; batch B's value in %d of %d cells; pages %s"
          % (args.expect, a_ok, len(a), b_there, len(b), ", ".join("%s %s" % (p, s) for p, s, _ in pages)))
    if problems:
        print("\n".join("  " + p for p in problems[:20]))
        sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("batch-a")
    s.add_argument("--out", required=True)
    s = sub.add_parser("mistake")
    s.add_argument("--a", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("check")
    s.add_argument("--a", required=True)
    s.add_argument("--b", required=True)
    s.add_argument("--expect", choices=["restored", "mistake"], default="restored")
    args = p.parse_args()
    {"batch-a": batch_a, "mistake": mistake, "check": check}[args.cmd](args)


if __name__ == "__main__":
    main()
