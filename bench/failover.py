"""The rounds of bench/failover.sh: writers save journal data through a running `klade serve`
while the database's primary is killed and Patroni fails over; every acknowledged save is then
looked for. Standard library only.

Each save is one request to the API (as crates/cli/tests/durability.rs does): an absence in an
empty attendance cell and a grade in an assessment of the writer's own, so one transaction, both
or neither. A save is acknowledged when the server answers 2xx; one answered otherwise (or not at
all) may or may not have been committed, and is only checked for being whole.
"""

import argparse
import json
import shlex
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

WRITERS = 4
CHUNK = 800  # cells a writer takes for a round
TIMEOUT = 30
BASE = ""


def call(method, url, token=None, body=None, timeout=TIMEOUT):
    """(status, headers, body text); status is an exception's name when no answer came."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")
    except Exception as e:  # refused, reset, timed out: no answer
        return type(e).__name__, {}, str(e)


def ok(status):
    return isinstance(status, int) and 200 <= status < 300


def login(base):
    for _ in range(120):
        s, _, b = call("POST", base + "/api/v1/auth/login", body={"username": "skolotajs", "password": "demo"})
        if ok(s):
            return json.loads(b)["token"]
        time.sleep(0.5)
    sys.exit("cannot sign in as skolotajs: %s %s" % (s, b[:200]))


def get(base, path, token):
    s, _, b = call("GET", base + path, token)
    if not ok(s):
        raise RuntimeError("GET %s: %s %s" % (path, s, b[:200]))
    return json.loads(b)


def filled(grid):
    return {"%s=%s" % (c.get("key") or "", c.get("value") or "") for c in grid["cells"]}


def courses_and_cells(base, token, value, only=None):
    """Every course of the teacher (or those in `only`) with the attendance cells (lessons up to
    today) that do not hold `value` yet, the empty ones last (writers take from the end), and the
    newest lesson's date (for the writers' assessments)."""
    out = []
    for c in get(base, "/api/v1/courses", token):
        if only is not None and c["id"] not in only:
            continue
        g = get(base, "/api/v1/courses/%d/grid" % c["id"], token)
        have = dict(h.split("=", 1) for h in filled(g))
        cells, empty, newest = [], [], ""
        for col in g["columns"]:
            lesson = col.get("Lesson")
            if not lesson:
                continue
            newest = max(newest, lesson["date"])
            for s in g["students"]:
                key = "a:%s:%s:%s" % (lesson["date"], lesson["lesson_no"], s["id"])
                if key not in have:
                    empty.append(key)
                elif have[key] != value:
                    cells.append(key)
        if (cells or empty) and g["students"]:
            out.append({"course": c["id"], "cells": cells + empty, "empty": len(empty), "date": newest,
                        "value": value})
    return out


class Round:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = []  # (writer, course, attendance, grade)
        self.acked = []  # (time answered, save)
        self.failed = []  # (time answered, save, status)
        self.answers = Counter()  # status of every request during the round
        self.examples = {}  # status -> (headers, body) of one such answer
        self.stop = threading.Event()
        self.slowest_ok = 0.0  # the longest a save took that was acknowledged
        self.slowest_failed = 0.0  # and one that was refused

    def note(self, status, headers, body):
        with self.lock:
            self.answers[status] += 1
            if not ok(status) and status not in self.examples:
                keep = {k: v for k, v in headers.items() if k.lower() in ("retry-after", "content-type")}
                self.examples[status] = (keep, body[:300])


def writer(base, token, course, cells, rnd, n0):
    """Saves (an absence and a grade) into `course` until told to stop or out of cells."""
    c = course["course"]
    grade_cells = []
    n = n0
    while not rnd.stop.is_set() and cells:
        if not grade_cells:
            s, h, b = call("POST", "%s/api/v1/courses/%d/assessments" % (base, c), token,
                           {"kind": "formative", "scale": "ten", "date": course["date"], "title": "HA %d" % n})
            rnd.note(s, h, b)
            if not ok(s):
                time.sleep(0.2)
                continue
            aid = json.loads(b)["id"]
            s, h, b = call("GET", "%s/api/v1/courses/%d/grid" % (base, c), token)
            rnd.note(s, h, b)
            if not ok(s):
                time.sleep(0.2)
                continue
            grade_cells = ["g:%d:%s" % (aid, st["id"]) for st in json.loads(b)["students"]]
        attendance = cells.pop()
        grade = grade_cells.pop()
        mark = str(n % 10 + 1)
        n += 1
        value = course["value"]
        save = (c, attendance + "=" + value, grade + "=" + mark)
        with rnd.lock:
            rnd.sent.append(save)
        # A cell that holds a mark already is corrected, which asks for a reason.
        t0 = time.time()
        s, h, b = call("POST", "%s/api/v1/courses/%d/cells" % (base, c), token,
                       {"reason": "failover", "cells": [{"key": attendance, "value": value},
                                                        {"key": grade, "value": mark}]})
        rnd.note(s, h, b)
        t = time.time()
        with rnd.lock:
            if ok(s):
                rnd.acked.append((t, save))
                rnd.slowest_ok = max(rnd.slowest_ok, t - t0)
            else:
                rnd.failed.append((t, save, s))
                rnd.slowest_failed = max(rnd.slowest_failed, t - t0)
        if not ok(s):
            time.sleep(0.2)  # as a client that retries would, without hammering


def ctl(cmd, *args):
    r = subprocess.run(shlex.split(cmd) + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def wait(pred, limit, step=0.25):
    end = time.time() + limit
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def healthz_watch(base, rnd, seen):
    while not rnd.stop.is_set():
        s, h, b = call("GET", base + "/healthz", timeout=5)
        seen[s] += 1
        if not ok(s) and ("healthz", s) not in rnd.examples:
            rnd.examples[("healthz", s)] = ({}, b[:200])
        time.sleep(0.5)


def browser():
    """A teacher signed in through the login form (CSRF field and cookie), as a browser is."""
    import http.cookiejar
    import urllib.parse
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(BASE + "/login", timeout=TIMEOUT).read()
    csrf = next(c.value for c in jar if c.name == "klade_csrf")
    form = urllib.parse.urlencode({"csrf": csrf, "username": "skolotajs", "password": "demo"}).encode()
    opener.open(urllib.request.Request(BASE + "/login", data=form), timeout=TIMEOUT).read()
    return opener


def page_watch(opener, rnd, seen):
    """The teacher's home page, loaded every half second: what a person sees during the gap."""
    while not rnd.stop.is_set():
        try:
            with opener.open(BASE + "/", timeout=TIMEOUT) as r:
                s, h, b = r.status, dict(r.headers), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            s, h, b = e.code, dict(e.headers), e.read().decode("utf-8", "replace")
        except Exception as e:
            s, h, b = type(e).__name__, {}, str(e)
        seen[s] += 1
        if not ok(s) and ("page /", s) not in rnd.examples:
            keep = {k: v for k, v in h.items() if k.lower() in ("retry-after", "content-type")}
            title = b[b.find("<title>"):b.find("</title>") + 8] if "<title>" in b else b[:200]
            main = b.find("<main")
            text = " ".join(b[main:main + 2000].split()) if main >= 0 else ""
            rnd.examples[("page /", s)] = (keep, title + " " + text[:300])
        time.sleep(0.5)


def one_round(args, no, course_ids, tokens):
    base = args.base
    if not wait(lambda: ctl(args.ctl, "healthy")[0] == 0, 300):
        sys.exit("round %d: the cluster is not healthy" % no)
    # Each round marks its cells late by a number of minutes of its own, so a save of this
    # round is told from whatever the cell held before.
    value = "k%d" % ((no - 1) % 90 + 1)
    courses = courses_and_cells(base, tokens[0], value, course_ids)
    rnd = Round()
    health, pages = Counter(), Counter()
    started = time.time()
    threads = [threading.Thread(target=healthz_watch, args=(base, rnd, health), daemon=True),
               threading.Thread(target=page_watch, args=(browser(), rnd, pages), daemon=True)]
    shares = []
    for w in range(WRITERS):
        course = courses[w % len(courses)]
        # Each writer takes cells of its own from the course, so no two write the same cell.
        share = course["cells"][-CHUNK:]
        del course["cells"][-CHUNK:]
        shares.append((course, share))
        threads.append(threading.Thread(target=writer, daemon=True,
                                        args=(base, tokens[w], course, share, rnd, no * 1000 + w * 100)))
    for t in threads:
        t.start()
    if not wait(lambda: len(rnd.acked) >= args.before, 60, 0.01):
        sys.exit("round %d: the writers stalled before the kill" % no)
    rc, killed, err = ctl(args.ctl, "kill-primary")
    t_kill = time.time()
    if rc != 0:
        sys.exit("round %d: kill failed: %s" % (no, err))
    # The standby is promoted: another node answers /primary.
    if not wait(lambda: ctl(args.ctl, "leader")[1] not in ("", killed), 120):
        sys.exit("round %d: no new primary within 120 s" % no)
    t_promoted = time.time()
    ctl(args.ctl, "after-kill", killed)
    with rnd.lock:
        acked_at_kill = len(rnd.acked)
    if not wait(lambda: any(t > t_kill for t, _ in rnd.acked), 120, 0.05):
        sys.exit("round %d: no save succeeded within 120 s of the kill" % no)
    t_first = min(t for t, _ in rnd.acked if t > t_kill)
    # The old primary back as the synchronous standby.
    if not wait(lambda: ctl(args.ctl, "healthy")[0] == 0, 300):
        sys.exit("round %d: the old primary did not come back as a standby" % no)
    t_healthy = time.time()
    # Writes go on with synchronous replication restored.
    with rnd.lock:
        target = len(rnd.acked) + args.after
    wait(lambda: len(rnd.acked) >= target, 60, 0.05)
    rnd.stop.set()
    for t in threads:
        t.join(TIMEOUT + 5)
    _, new_leader, _ = ctl(args.ctl, "leader")

    # Every acknowledged save must be in the database, and no save only half.
    token = login(base)
    now = set()
    for c in {s[0] for s in rnd.sent}:
        now |= filled(get(base, "/api/v1/courses/%d/grid" % c, token))
    lost = [s for _, s in rnd.acked if s[1] not in now or s[2] not in now]
    half = [s for s in rnd.sent if (s[1] in now) != (s[2] in now)]
    failed_but_saved = [s for _, s, _ in rnd.failed if s[1] in now and s[2] in now]
    times = sorted([started] + [t for t, _ in rnd.acked])
    gap = max(b - a for a, b in zip(times, times[1:]))
    verify = subprocess.run(shlex.split(args.verify), capture_output=True, text=True)
    r = {
        "round": no,
        "killed": killed,
        "new_primary": new_leader,
        "sent": len(rnd.sent),
        "acked": len(rnd.acked),
        "acked_before_kill": acked_at_kill,
        "failed": len(rnd.failed),
        "failed_but_saved": len(failed_but_saved),
        "lost": len(lost),
        "half": len(half),
        "gap_s": round(gap, 1),
        "kill_to_promoted_s": round(t_promoted - t_kill, 1),
        "kill_to_first_save_s": round(t_first - t_kill, 1),
        "kill_to_sync_standby_s": round(t_healthy - t_kill, 1),
        "answers": {str(k): v for k, v in sorted(rnd.answers.items(), key=str)},
        "healthz": {str(k): v for k, v in sorted(health.items(), key=str)},
        "home_page": {str(k): v for k, v in sorted(pages.items(), key=str)},
        "slowest_acked_s": round(rnd.slowest_ok, 1),
        "slowest_refused_s": round(rnd.slowest_failed, 1),
        "examples": {str(k): v for k, v in rnd.examples.items()},
        "verify_ok": verify.returncode == 0,
        "verify": (verify.stdout + verify.stderr).strip()[-400:],
    }
    print("round %d/%d: killed %s, new primary %s; %d saves sent, %d acknowledged, %d acknowledged and lost, "
          "%d half; %d refused (%d of them saved all the same); %.1f s without a successful save "
          "(promoted after %.1f s, first save after %.1f s, synchronous standby back after %.1f s); "
          "slowest save %.1f s acknowledged, %.1f s refused; API answers %s; /healthz %s; home page %s; verify %s"
          % (no, args.rounds, killed, new_leader, r["sent"], r["acked"], r["lost"], r["half"], r["failed"],
             r["failed_but_saved"], gap, r["kill_to_promoted_s"], r["kill_to_first_save_s"],
             r["kill_to_sync_standby_s"], rnd.slowest_ok, rnd.slowest_failed, r["answers"], r["healthz"],
             r["home_page"], "clean" if r["verify_ok"] else "FAILED"),
          flush=True)
    for k, (h, b) in rnd.examples.items():
        print("    %s: %s %s" % (k, json.dumps(h, ensure_ascii=False), b.replace("\n", " ")[:200]), flush=True)
    if lost or half or not r["verify_ok"]:
        print("    lost: %s\n    half: %s\n    verify: %s" % (lost[:5], half[:5], r["verify"]), flush=True)
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--ctl", required=True, help="the command that answers healthy, leader, kill-primary, after-kill")
    p.add_argument("--verify", required=True, help="the command that verifies the journal")
    p.add_argument("--before", type=int, default=40, help="saves acknowledged before the kill")
    p.add_argument("--after", type=int, default=40, help="saves acknowledged after the standby is back")
    p.add_argument("--out", help="every round's figures as JSON")
    args = p.parse_args()
    global BASE
    BASE = args.base
    first = login(args.base)
    courses = sorted(courses_and_cells(args.base, first, ""), key=lambda c: -len(c["cells"]))[:WRITERS]
    if not courses:
        sys.exit("no attendance cells to write")
    print("%d courses, %d attendance cells up to today (%d empty) for %d writers"
          % (len(courses), sum(len(c["cells"]) for c in courses), sum(c["empty"] for c in courses), WRITERS),
          flush=True)
    course_ids = {c["course"] for c in courses}
    tokens = [login(args.base) for _ in range(WRITERS)]
    results = []
    for no in range(1, args.rounds + 1):
        results.append(one_round(args, no, course_ids, tokens))
        if args.out:
            with open(args.out, "w") as f:
                json.dump(results, f, indent=1, ensure_ascii=False)
    lost = sum(r["lost"] for r in results)
    worst = max(r["gap_s"] for r in results)
    print("%d rounds: %d saves acknowledged, %d acknowledged and lost, %d half saves, longest time without a "
          "successful save %.1f s, verify clean in %d of %d"
          % (len(results), sum(r["acked"] for r in results), lost, sum(r["half"] for r in results), worst,
             sum(r["verify_ok"] for r in results), len(results)), flush=True)
    sys.exit(1 if lost or any(r["half"] or not r["verify_ok"] for r in results) else 0)


if __name__ == "__main__":
    main()
