"""Track lengths as editors and import files write them ("4:18", "1:02:03") and as seconds."""

import re

DURATION_RE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)$")


def parse_duration(value):
    """ "4:18" or "1:02:03" -> seconds; an int is taken as seconds. Raises ValueError when malformed."""
    if value in (None, ""):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    else:
        match = DURATION_RE.match(str(value).strip())
        if not match:
            raise ValueError(f'"{value}" is not a duration like 4:18 (minutes:seconds)')
        hours, minutes, secs = (int(g or 0) for g in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero; leave it blank when unknown")
    return seconds


def format_duration(seconds):
    """Seconds -> "4:18" (or "1:02:03" past an hour); blank for None."""
    if not seconds:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
