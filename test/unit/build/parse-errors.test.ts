import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../src/build/dockerfile/parse.js';
import { DockerfileError } from '../../../src/build/dockerfile/errors.js';

// [Dockerfile, line the error points at, message pattern]
const cases: [string, number, RegExp][] = [
  // instructions and stages
  ['FROM busybox\nRUN true\nFOOBAR baz\n', 3, /^dockerfile parse error on line 3: unknown instruction: FOOBAR$/],
  ['FROM busybox\nfoobar baz\n', 2, /unknown instruction: FOOBAR/],
  ['FROM busybox\nRUNN make\n', 2, /unknown instruction: RUNN \(did you mean RUN\?\)/],
  ['FORM busybox\n', 1, /unknown instruction: FORM \(did you mean FROM\?\)/],
  ['RUN true\nFROM busybox\n', 1, /no build stage in current context: RUN before the first FROM/],
  ['# comment\nARG X=1\nENV A=b\nFROM busybox\n', 3, /no build stage in current context/],
  ['ARG ONLY=1\n', 1, /the Dockerfile has no FROM/],
  ['FROM\n', 1, /FROM requires either one or three arguments/],
  ['FROM a b\n', 1, /FROM requires either one or three arguments/],
  ['FROM a AS b c\n', 1, /FROM requires either one or three arguments/],
  ['FROM a IS b\n', 1, /FROM requires either one or three arguments/],
  ['FROM a AS 1st\n', 1, /invalid name for build stage: "1st", name can't start with a number or contain symbols/],
  ['FROM a AS x/y\n', 1, /invalid name for build stage/],
  ['FROM a AS one\nFROM b AS ONE\n', 2, /one stage name already used/],
  // flags
  ['FROM --platform linux/amd64 busybox\n', 1, /missing a value on flag: --platform/],
  ['FROM busybox\nCOPY --form=x a b\n', 2, /unknown flag: --form \(COPY accepts --from, --chown, --chmod, --link\)/],
  ['FROM busybox\nUSER --uid=1 app\n', 2, /unknown flag: --uid \(USER takes no flags\)/],
  ['FROM busybox\nADD --from=x a b\n', 2, /unknown flag: --from/],
  ['FROM busybox\nCOPY --exclude=*.md . /\n', 2, /unknown flag: --exclude/],
  ['FROM busybox\nCOPY --from=a --from=b x y\n', 2, /duplicate flag specified: --from/],
  ['FROM busybox\nCOPY --link=maybe a b\n', 2, /expecting boolean value for flag --link, not: maybe/],
  ['FROM busybox\nCOPY --link= a b\n', 2, /missing a value on flag: --link/],
  ['FROM busybox\nCOPY --from=$STAGE a b\n', 2, /variable expansion is not supported for --from/],
  ['FROM busybox\nRUN --network=bridge true\n', 2, /invalid network mode "bridge"/],
  ['FROM busybox\nRUN --mount=type=nfs,target=/x true\n', 2, /unsupported mount type "nfs"/],
  ['FROM busybox\nRUN --mount=type=cache,target=/x,color=red true\n', 2, /unexpected key 'color' in 'color=red'/],
  ['FROM busybox\nRUN --mount=type=bind,target=/x,size=1m true\n', 2, /unexpected key 'size' for mount type 'bind'/],
  ['FROM busybox\nRUN --mount=type=tmpfs,target=/x,uid=0 true\n', 2, /uid not allowed for "tmpfs" type mounts/],
  ['FROM busybox\nRUN --mount=type=cache,target=/x,sharing=all true\n', 2, /unsupported sharing value "all"/],
  ['FROM busybox\nRUN --mount=type=bind,sharing=locked true\n', 2, /invalid cache sharing set for bind mount/],
  ['FROM busybox\nRUN --mount=type=bind,ro=maybe true\n', 2, /invalid value for ro: maybe/],
  ['FROM busybox\nRUN --mount=type=bind,nonsense true\n', 2, /invalid field 'nonsense' must be a key=value pair/],
  ['FROM busybox\nRUN --mount=type=cache,mode=0999 true\n', 2, /invalid value 0999 for mode/],
  ['FROM busybox\nRUN --mount=type=secret true\n', 2, /invalid secret mount/],
  ['FROM busybox\nRUN --mount=from=$X,target=/x true\n', 2, /'from' doesn't support variable expansion/],
  // arguments
  ['FROM busybox\nENV\n', 2, /ENV requires at least one argument/],
  ['FROM busybox\nENV ONLYKEY\n', 2, /ENV must have two arguments/],
  ['FROM busybox\nENV A=1 B\n', 2, /Syntax error - can't find = in "B". Must be of the form: name=value/],
  ['FROM busybox\nENV =x\n', 2, /ENV names can not be blank/],
  ['FROM busybox\nLABEL\n', 2, /LABEL requires at least one argument/],
  ['FROM busybox\nARG\n', 2, /ARG requires at least one argument/],
  ['FROM busybox\nARG =v\n', 2, /ARG names can not be blank/],
  ['FROM busybox\nMAINTAINER\n', 2, /MAINTAINER requires exactly one argument/],
  ['FROM busybox\nUSER\n', 2, /USER requires exactly one argument/],
  ['FROM busybox\nWORKDIR\n', 2, /WORKDIR requires exactly one argument/],
  ['FROM busybox\nSTOPSIGNAL\n', 2, /STOPSIGNAL requires exactly one argument/],
  ['FROM busybox\nEXPOSE\n', 2, /EXPOSE requires at least one argument/],
  ['FROM busybox\nVOLUME\n', 2, /VOLUME requires at least one argument/],
  ['FROM busybox\nVOLUME ["/a", " "]\n', 2, /VOLUME specified can not be an empty string/],
  ['FROM busybox\nCOPY onlyone\n', 2, /COPY requires at least two arguments, but only one was provided/],
  ['FROM busybox\nADD\n', 2, /ADD requires at least two arguments/],
  ['FROM busybox\nCMD ["a", 1]\n', 2, /arrays must be comprised of strings only/],
  ['FROM busybox\nSHELL /bin/bash -c\n', 2, /SHELL requires the arguments to be in JSON form/],
  ['FROM busybox\nSHELL []\n', 2, /SHELL requires at least one argument/],
  ['FROM busybox\nONBUILD\n', 2, /ONBUILD requires at least one argument/],
  ['FROM busybox\nONBUILD ONBUILD RUN x\n', 2, /Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed/],
  ['FROM busybox\nONBUILD FROM alpine\n', 2, /FROM isn't allowed as an ONBUILD trigger/],
  ['FROM busybox\nONBUILD maintainer me\n', 2, /MAINTAINER isn't allowed as an ONBUILD trigger/],
  ['FROM busybox\nONBUILD NOPE x\n', 2, /unknown instruction: NOPE/],
  ['FROM busybox\nHEALTHCHECK\n', 2, /HEALTHCHECK requires at least one argument/],
  ['FROM busybox\nHEALTHCHECK NONE extra\n', 2, /HEALTHCHECK NONE takes no arguments/],
  ['FROM busybox\nHEALTHCHECK CMD\n', 2, /Missing command after HEALTHCHECK CMD/],
  ['FROM busybox\nHEALTHCHECK PING x\n', 2, /Unknown type "PING" in HEALTHCHECK \(try CMD\)/],
  ['FROM busybox\nHEALTHCHECK --interval=10 CMD x\n', 2, /time: missing unit in duration "10"/],
  ['FROM busybox\nHEALTHCHECK --interval=1d CMD x\n', 2, /time: unknown unit "d" in duration "1d"/],
  ['FROM busybox\nHEALTHCHECK --timeout=100us CMD x\n', 2, /Interval "timeout" cannot be less than 1ms/],
  ['FROM busybox\nHEALTHCHECK --retries=-1 CMD x\n', 2, /--retries cannot be negative \(-1\)/],
  ['FROM busybox\nHEALTHCHECK --retries=three CMD x\n', 2, /invalid --retries value "three"/],
  ['FROM busybox\nHEALTHCHECK --color=red CMD x\n', 2, /unknown flag: --color/],
];

test('errors point at the instruction\'s first line with Docker\'s messages', () => {
  for (const [text, line, pattern] of cases) {
    let caught: unknown;
    try {
      parseDockerfile(text);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof DockerfileError, `${JSON.stringify(text)} should be refused, got ${String(caught)}`);
    assert.equal(caught.line, line, `${JSON.stringify(text)}: line of ${caught.message}`);
    assert.match(caught.message, pattern, JSON.stringify(text));
    assert.ok(caught.message.startsWith(`dockerfile parse error on line ${line}: `), caught.message);
  }
});

test('an error in a continued instruction names its first line and knows its last', () => {
  try {
    parseDockerfile('FROM busybox\nRUN true\nCOPY \\\n  --bogus=1 \\\n  a b\n');
    assert.fail('should be refused');
  } catch (err) {
    assert.ok(err instanceof DockerfileError);
    assert.deepEqual([err.line, err.endLine, err.reason], [3, 5, 'unknown flag: --bogus (COPY accepts --from, --chown, --chmod, --link)']);
  }
});
