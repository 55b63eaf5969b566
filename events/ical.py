"""iCalendar (RFC 5545) text for trade fairs: one event, or a feed of many.

Written by hand rather than with a library so the project gains no dependency; the rules that
matter to calendar apps are all here: CRLF line ends, folding at 75 octets, TEXT escaping and
UTC times.
"""

import datetime

PRODID = "-//OCOP storefront//Trade fairs//VI"
CRLF = "\r\n"
MAX_OCTETS = 75


def escape_text(value):
    """Escape a TEXT value: backslash first, then `;` `,` and newlines (RFC 5545 §3.3.11)."""
    value = str(value)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line):
    """Fold a content line into pieces of at most 75 octets, never splitting a UTF-8 character.

    Continuation lines start with one space, which counts towards their 75 octets.
    """
    if len(line.encode("utf-8")) <= MAX_OCTETS:
        return line
    pieces, current, size, limit = [], [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return (CRLF + " ").join(pieces)


def format_utc(moment):
    """A DATE-TIME in UTC with the `Z` suffix; aware datetimes only."""
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(
    *,
    uid,
    start,
    end,
    summary,
    url="",
    description="",
    location="",
    latitude=None,
    longitude=None,
    stamp=None,
):
    """The unfolded content lines of one VEVENT."""
    stamp = stamp or datetime.datetime.now(datetime.UTC)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{format_utc(stamp)}",
        f"DTSTART:{format_utc(start)}",
        f"DTEND:{format_utc(end)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if latitude is not None and longitude is not None:
        # GEO is a pair of FLOATs separated by a literal semicolon, so it is not escaped.
        lines.append(f"GEO:{float(latitude):.6f};{float(longitude):.6f}")
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar(events, name=""):
    """A whole VCALENDAR from VEVENT line lists, folded and with CRLF line ends."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
