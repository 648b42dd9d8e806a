// Sizes and ages the way the docker CLI prints them (decimal units, three significant digits; "2 weeks ago").

/** Docker's HumanSize: 4.26MB, 812kB, 1.2GB. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** Docker's HumanDuration + " ago" for a unix-seconds timestamp. */
export function humanAge(unixSeconds: number, now = Date.now()): string {
  if (!unixSeconds) return 'N/A';
  const s = Math.max(0, Math.round(now / 1000 - unixSeconds));
  const m = Math.round(s / 60);
  const h = Math.round(s / 3600);
  let text: string;
  if (s < 1) text = 'Less than a second';
  else if (s === 1) text = '1 second';
  else if (s < 60) text = `${s} seconds`;
  else if (m === 1) text = 'About a minute';
  else if (m < 60) text = `${m} minutes`;
  else if (h === 1) text = 'About an hour';
  else if (h < 48) text = `${h} hours`;
  else if (h < 24 * 7 * 2) text = `${Math.floor(h / 24)} days`;
  else if (h < 24 * 30 * 2) text = `${Math.floor(h / 24 / 7)} weeks`;
  else if (h < 24 * 365 * 2) text = `${Math.floor(h / 24 / 30)} months`;
  else text = `${Math.floor(h / 24 / 365)} years`;
  return `${text} ago`;
}
