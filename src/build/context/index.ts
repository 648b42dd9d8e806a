// The build context: .dockerignore matching and the list of entries Docker would send.

export {
  createMatcher, matcherFromPatterns, readIgnorePatterns, cleanPath, normalizeRelPath, DockerignoreError,
  type DockerignoreMatcher, type IgnorePattern, type MatchInfo,
} from './dockerignore.js';
export { listContext, readContextIgnore, withAlwaysSent, type ContextEntry, type ContextOptions } from './walk.js';
