// RUN with here-documents, as BuildKit runs them:
//   RUN <<EOF            the body is the script, run by the stage's shell (SHELL, default /bin/sh -c); a body that
//                        starts with `#!` runs under that interpreter instead;
//   RUN python3 <<EOF, RUN <<EOF bash, RUN <<A cat > /a && <<B cat > /b
//                        the command line and the bodies, each closed by its delimiter, go to the shell, which
//                        feeds each body to its command's standard input.
import { randomBytes } from 'node:crypto';
import type { Heredoc } from '../dockerfile/index.js';

const ONLY_HEREDOC = /^\d?<<-?["']?[^\s"']+["']?$/;

const withNewline = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

/** The script a shell-form RUN with here-documents gives the stage's shell (its `-c` argument). */
export function heredocScript(command: string, heredocs: readonly Heredoc[]): string {
  const line = command.trim();
  if (heredocs.length === 1 && ONLY_HEREDOC.test(line)) {
    const body = heredocs[0]!.content;
    if (!body.startsWith('#!')) return body;
    // A shebang picks the interpreter: it reads the body as its script from standard input.
    const interpreter = body.slice(2, body.indexOf('\n') < 0 ? undefined : body.indexOf('\n')).trim();
    let delim = 'BERTH_SCRIPT_EOF';
    while (body.split('\n').includes(delim)) delim = `BERTH_SCRIPT_EOF_${randomBytes(4).toString('hex')}`;
    return `${interpreter} /dev/stdin <<'${delim}'\n${withNewline(body)}${delim}`;
  }
  // Bodies had `<<-` tabs removed already; the delimiters close them as the shell expects.
  return `${line}${heredocs.map((h) => `\n${withNewline(h.content)}${h.name}`).join('')}`;
}
