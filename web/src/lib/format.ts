/** Times in the viewer's own time zone and language (the browser's Intl settings). */
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const dayHeadFmt = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

/** "14:05" today, "Tue" this week, "Mar 3" before. */
export function shortTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (sameDay(d, now)) return timeFmt.format(d);
  if (now.getTime() - d.getTime() < 6 * 86_400_000) return weekdayFmt.format(d);
  return dayFmt.format(d);
}

export const clockTime = (iso: string) => timeFmt.format(new Date(iso));
export const fullTime = (iso: string | null | undefined) => (iso ? fullFmt.format(new Date(iso)) : "—");

export function dayHeading(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (sameDay(d, now)) return "Today";
  if (sameDay(d, new Date(now.getTime() - 86_400_000))) return "Yesterday";
  return dayHeadFmt.format(d);
}

/** "3 h 20 min" style remaining time; negative spans read as "0 min". */
export function span(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60 ? `${min % 60} min` : ""}`.trim();
  return `${Math.floor(h / 24)} days`;
}

export const platformName = { whatsapp: "WhatsApp", messenger: "Messenger", instagram: "Instagram" } as const;
