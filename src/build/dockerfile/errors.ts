// Errors of the Dockerfile front end. Docker prefixes parse errors with the line they were found on; callers
// (the builder, `docker build` through the engine) print the message as is, so it must say where and what.

/** A Dockerfile that cannot be parsed or planned; `line` is 1-based when the error belongs to an instruction. */
export class DockerfileError extends Error {
  /** The error without the "dockerfile parse error on line N" prefix. */
  readonly reason: string;
  readonly line: number | undefined;
  readonly endLine: number | undefined;

  constructor(reason: string, line?: number, endLine?: number) {
    super(line === undefined ? reason : `dockerfile parse error on line ${line}: ${reason}`);
    this.name = 'DockerfileError';
    this.reason = reason;
    this.line = line;
    this.endLine = endLine ?? line;
  }
}

/** A reason that has no line yet: thrown by the small parsers, given its line by the caller that knows it. */
export class SyntaxProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyntaxProblem';
  }
}

/** Runs `fn`, turning a SyntaxProblem (expansion errors are SyntaxProblems too) into a DockerfileError at the given
 * lines; other errors are bugs and pass through unchanged. */
export function atLines<T>(start: number, end: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SyntaxProblem) throw new DockerfileError(err.message, start, end);
    throw err;
  }
}

/** An expansion that Docker refuses (bad substitution, unterminated quote, `${X:?}` on an unset X). */
export class ExpansionError extends SyntaxProblem {
  constructor(message: string) {
    super(message);
    this.name = 'ExpansionError';
  }
}
