// Container ids (64 hex characters, like Docker's) and generated names (adjective_scientist).
import { randomBytes } from 'node:crypto';
import { EngineError } from '../errors.js';

const ADJECTIVES = [
  'admiring', 'amazing', 'awesome', 'blissful', 'bold', 'brave', 'busy', 'charming', 'clever', 'cool', 'crazy',
  'dazzling', 'determined', 'eager', 'ecstatic', 'elegant', 'epic', 'festive', 'focused', 'friendly', 'gallant',
  'gifted', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'laughing', 'loving', 'lucid', 'magical', 'modest',
  'nice', 'nifty', 'optimistic', 'peaceful', 'practical', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic',
  'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous',
];
const SURNAMES = [
  'agnesi', 'babbage', 'bardeen', 'bell', 'bohr', 'brattain', 'cannon', 'cerf', 'curie', 'darwin', 'dijkstra',
  'einstein', 'euclid', 'euler', 'faraday', 'fermat', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg',
  'hamilton', 'hawking', 'hodgkin', 'hopper', 'hypatia', 'johnson', 'kepler', 'knuth', 'lamport', 'lovelace',
  'mayer', 'mccarthy', 'meitner', 'mendel', 'newton', 'noether', 'pascal', 'pike', 'ritchie', 'shannon',
  'thompson', 'torvalds', 'turing', 'wilson', 'wing', 'wozniak', 'wright', 'yalow', 'zhukovsky',
];

/** A new 64-hex container id that is not all digits (the CLI would read such a short id as a number). */
export function newContainerId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (/[a-f]/.test(id.slice(0, 12))) return id;
  }
}

/** A random docker-style name; `taken` says which names exist. */
export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const a = ADJECTIVES[randomBytes(1)[0]! % ADJECTIVES.length];
    const s = SURNAMES[randomBytes(1)[0]! % SURNAMES.length];
    const name = i < 10 ? `${a}_${s}` : `${a}_${s}${i}`;
    if (!taken(name)) return name;
  }
}

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Validates a user-given name (Docker's pattern) and returns it without the leading "/". */
export function checkName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new EngineError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 'InvalidArgument');
  }
  return name.replace(/^\//, '');
}
