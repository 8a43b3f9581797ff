// Reads one iCalendar object on stdin and prints the first VEVENT's DTSTART as an ISO UTC string,
// the way ical.js (Thunderbird, Nextcloud web) computes it. Only the VTIMEZONEs embedded in the
// object are registered: ical.js has no zone database of its own, so a TZID without a matching
// VTIMEZONE would silently become floating time; that is reported as an error instead.
// Used by tests/validators.py:icaljs_start_utc. Exit 2 = the object is not usable.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

let root;
try {
  root = new ICAL.Component(ICAL.parse(text));
} catch (error) {
  fail(`ical.js could not parse the object: ${error}`);
}

for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const vevent = root.getFirstSubcomponent("vevent");
if (!vevent) fail("no VEVENT");
const dtstart = vevent.getFirstProperty("dtstart");
if (!dtstart) fail("VEVENT has no DTSTART");
const tzid = dtstart.getParameter("tzid");
const start = new ICAL.Event(vevent).startDate;
if (tzid && (!start.zone || start.zone.tzid !== tzid)) {
  fail(`DTSTART TZID=${tzid} resolved to zone ${start.zone && start.zone.tzid} (no matching VTIMEZONE?)`);
}
process.stdout.write(`${start.toJSDate().toISOString()}\n`);
