"""Checks an iCalendar file with the independent `icalendar` package (PyPI).

usage: python3 e2e/tools/check_ics.py FILE

Exits non-zero, naming what is wrong, unless the file parses without errors and has what
RFC 5545 requires of a published schedule: VERSION 2.0 and PRODID on the calendar; UID, DTSTAMP,
DTSTART, DTEND and SEQUENCE on every event, with times in UTC and every event ending after it
starts. Prints a JSON summary of the events on success.
"""

import json
import sys

import icalendar


def main(path: str) -> int:
    with open(path, "rb") as f:
        raw = f.read()
    cal = icalendar.Calendar.from_ical(raw)
    problems = []
    if str(cal.get("VERSION")) != "2.0":
        problems.append("VERSION is not 2.0")
    if not cal.get("PRODID"):
        problems.append("no PRODID")
    for line in raw.split(b"\r\n"):
        if len(line) > 75:
            problems.append(f"a content line is {len(line)} octets long (at most 75)")
    if raw.replace(b"\r\n", b"").find(b"\n") >= 0:
        problems.append("a line ends without CR LF")
    events = []
    uids = set()
    for component in cal.walk():
        # The parser records what it could not read instead of raising.
        for err in getattr(component, "errors", []) or []:
            problems.append(f"{component.name}: {err}")
        if component.name != "VEVENT":
            continue
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY"):
            if component.get(prop) is None:
                problems.append(f"an event has no {prop}")
        start = component.decoded("DTSTART")
        end = component.decoded("DTEND")
        if start.tzinfo is None or start.utcoffset().total_seconds() != 0:
            problems.append(f"DTSTART {start} is not in UTC")
        if end <= start:
            problems.append(f"an event ends ({end}) before it starts ({start})")
        uid = str(component.get("UID"))
        if uid in uids:
            problems.append(f"UID {uid} is used twice")
        uids.add(uid)
        events.append(
            {
                "uid": uid,
                "summary": str(component.get("SUMMARY")),
                "start": start.isoformat(),
                "end": end.isoformat(),
                "sequence": int(component.get("SEQUENCE")),
                "location": str(component.get("LOCATION", "")),
            }
        )
    if not events:
        problems.append("no events")
    if problems:
        for p in problems:
            print(f"{path}: {p}", file=sys.stderr)
        return 1
    print(json.dumps(events))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
