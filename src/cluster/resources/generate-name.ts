// `metadata.generateName`: the registry appends five random characters to the prefix before validation.
import { randomInt } from 'node:crypto';

// Kubernetes' alphabet: no vowels (no accidental words) and no easily confused characters.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME = 63;
const RANDOM_LENGTH = 5;

/** A name from a generateName prefix: the prefix (cut to leave room) and five random characters. */
export function generateObjectName(prefix: string, random: (n: number) => number = randomInt): string {
  const base = prefix.length > MAX_NAME - RANDOM_LENGTH ? prefix.slice(0, MAX_NAME - RANDOM_LENGTH) : prefix;
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += ALPHABET[random(ALPHABET.length)];
  return base + suffix;
}
