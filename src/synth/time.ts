/**
 * Local time of the export: Asia/Shanghai, UTC+8 all year (no daylight saving since 1991),
 * formatted `YYYY-MM-DD HH:mm:ss` by arithmetic (fast, and no clock or time-zone database).
 */

export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch ms of local midnight of a `YYYY-MM-DD` date in China. */
export function localMidnight(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - SHANGHAI_OFFSET_MS;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Formats local dates, caching the date part per day. */
export class LocalTimeFormat {
  private readonly days = new Map<number, string>();

  /** `YYYY-MM-DD` of the local day. */
  date(ms: number): string {
    const day = Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
    let text = this.days.get(day);
    if (text === undefined) {
      const d = new Date(day * DAY_MS);
      text = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
      this.days.set(day, text);
    }
    return text;
  }

  /** `YYYY-MM-DD HH:mm:ss`. */
  format(ms: number): string {
    const local = ms + SHANGHAI_OFFSET_MS;
    const secOfDay = Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 1000);
    const h = Math.floor(secOfDay / 3600);
    const m = Math.floor((secOfDay % 3600) / 60);
    return `${this.date(ms)} ${pad2(h)}:${pad2(m)}:${pad2(secOfDay % 60)}`;
  }
}

/** Day of week of a local day, Monday = 0. */
export function localWeekday(ms: number): number {
  const day = Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
  // 1970-01-01 was a Thursday (Monday = 0 -> Thursday = 3).
  return (((day + 3) % 7) + 7) % 7;
}
