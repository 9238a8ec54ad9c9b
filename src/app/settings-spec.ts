/** The settings a learner may change with `backend-tutor config`: names, meaning, and how a typed value is checked. */
import { DEFAULT_SETTINGS, type Settings } from '../store/document.js';

export interface SettingSpec<K extends keyof Settings = keyof Settings> {
  /** What the learner types: kebab-case. */
  readonly name: string;
  readonly key: K;
  readonly description: string;
  /** The stored value, or an error message that says what is allowed. */
  parse(text: string): { value: Settings[K] } | { error: string };
  show(value: Settings[K]): string;
}

const int = (name: string, min: number, max: number) => (text: string) => {
  const n = Number(text);
  return /^\d+$/.test(text.trim()) && n >= min && n <= max ? { value: n } : { error: `${name} takes a whole number from ${min} to ${max}.` };
};

const steps = (name: string) => (text: string) => {
  const list = text.split(/[\s,]+/).filter(Boolean);
  if (text.trim() === 'none') return { value: [] as string[] };
  return list.length && list.every((s) => /^\d+(m|h|d)$/.test(s) && Number.parseInt(s, 10) > 0)
    ? { value: list }
    : { error: `${name} takes intervals like "10m" or "1m,10m,1h" (m = minutes, h = hours, d = days), or "none".` };
};

function spec<K extends keyof Settings>(s: SettingSpec<K>): SettingSpec {
  return s as unknown as SettingSpec;
}

export const SETTINGS: readonly SettingSpec[] = [
  spec({ name: 'new-per-day', key: 'newPerDay', description: 'new cards introduced a day', parse: int('new-per-day', 0, 9999), show: String }),
  spec({ name: 'max-reviews-per-day', key: 'maxReviewsPerDay', description: 'reviews asked a day, at most', parse: int('max-reviews-per-day', 0, 99999), show: String }),
  spec({
    name: 'desired-retention',
    key: 'desiredRetention',
    description: 'the recall probability FSRS schedules for (higher: more reviews)',
    parse: (text) => {
      const n = Number(text);
      return /^0?\.\d+$/.test(text.trim()) && n >= 0.7 && n <= 0.99 ? { value: n } : { error: 'desired-retention takes a number from 0.70 to 0.99 (0.90 is the usual choice).' };
    },
    show: (v) => v.toFixed(2),
  }),
  spec({ name: 'learning-steps', key: 'learningSteps', description: 'when a new card failed or rated Hard comes back', parse: steps('learning-steps'), show: (v) => (v.length ? v.join(',') : 'none') }),
  spec({ name: 'relearning-steps', key: 'relearningSteps', description: 'when a forgotten review card comes back', parse: steps('relearning-steps'), show: (v) => (v.length ? v.join(',') : 'none') }),
  spec({
    name: 'shuffle',
    key: 'shuffle',
    description: 'mix session questions randomly (otherwise: most urgent first, easier new cards first)',
    parse: (text) => (/^(true|on|yes)$/i.test(text.trim()) ? { value: true } : /^(false|off|no)$/i.test(text.trim()) ? { value: false } : { error: 'shuffle takes on or off.' }),
    show: (v) => (v ? 'on' : 'off'),
  }),
  spec({
    name: 'content-dir',
    key: 'contentDir',
    description: 'a folder of your own lessons and question banks, shown beside the built-in ones',
    parse: (text) => ({ value: text.trim() }),
    show: (v) => v || '(none)',
  }),
];

export const defaultOf = (s: SettingSpec): string => s.show(DEFAULT_SETTINGS[s.key] as never);
