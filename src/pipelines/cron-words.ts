import { formatDuration } from '../format';

const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday'
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
];

// croniter's (and Vixie cron's) shorthands.
const ALIASES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *'
};

const NUMBER = /^\d+$/;
const STEP = /^\*\/(\d+)$/;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function inRange(text: string, low: number, high: number): number | null {
  if (!NUMBER.test(text)) {
    return null;
  }
  const value = Number(text);
  return value >= low && value <= high ? value : null;
}

function joinWords(words: string[]): string {
  return words.length < 2
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * Days of the week of a cron field: `1` Monday, `1-5` Monday to Friday,
 * `1,3` Monday and Wednesday (0 and 7 are Sunday); null for other forms.
 */
function weekdays(field: string): string | null {
  const range = /^(\d)-(\d)$/.exec(field);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    return from < to && to <= 7
      ? `${WEEKDAYS[from % 7]} to ${WEEKDAYS[to % 7]}`
      : null;
  }
  const days = field.split(',').map(day => inRange(day, 0, 7));
  if (days.some(day => day === null)) {
    return null;
  }
  return joinWords(days.map(day => WEEKDAYS[(day as number) % 7]));
}

/**
 * A cron expression in words, for the common shapes: `0 3 * * 1-5` reads
 * "Monday to Friday at 03:00 UTC". Null when it is not one of them (the
 * expression itself is then the best description); the server checks validity.
 */
export function describeCron(expression: string): string | null {
  const trimmed = expression.trim().toLowerCase();
  const fields = (ALIASES[trimmed] ?? trimmed).split(/\s+/);
  if (fields.length !== 5) {
    return null;
  }
  const [minute, hour, day, month, weekday] = fields;
  const everyDay = day === '*' && month === '*' && weekday === '*';
  if (everyDay && hour === '*') {
    if (minute === '*') {
      return 'every minute';
    }
    const step = STEP.exec(minute);
    if (step) {
      return step[1] === '1' ? 'every minute' : `every ${step[1]} minutes`;
    }
    const at = inRange(minute, 0, 59);
    return at === null ? null : `every hour at :${pad(at)}`;
  }
  const atMinute = inRange(minute, 0, 59);
  if (atMinute === null) {
    return null;
  }
  const hourStep = STEP.exec(hour);
  if (everyDay && hourStep) {
    return `every ${hourStep[1]} hours at :${pad(atMinute)}`;
  }
  const atHour = inRange(hour, 0, 23);
  if (atHour === null) {
    return null;
  }
  const time = `${pad(atHour)}:${pad(atMinute)} UTC`;
  if (everyDay) {
    return `every day at ${time}`;
  }
  if (day === '*' && month === '*') {
    const days = weekdays(weekday);
    return days === null ? null : `${days} at ${time}`;
  }
  const dayOfMonth = inRange(day, 1, 31);
  if (dayOfMonth === null || weekday !== '*') {
    return null;
  }
  if (month === '*') {
    return `on day ${dayOfMonth} of every month at ${time}`;
  }
  const monthNumber = inRange(month, 1, 12);
  return monthNumber === null
    ? null
    : `every year on ${dayOfMonth} ${MONTHS[monthNumber - 1]} at ${time}`;
}

/**
 * A moment as the viewer's local date and time: `2025-01-31 14:05`.
 */
export function formatLocalTime(ms: number): string {
  const date = new Date(ms);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    ` ${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/**
 * How far a coming moment is from `now`: `in 4 min 05 s`, `in 2 h 03 min`;
 * `due now` once it has come (the server fires within its check interval).
 */
export function formatTimeUntil(ms: number, now: number): string {
  return ms <= now ? 'due now' : `in ${formatDuration(ms - now)}`;
}
