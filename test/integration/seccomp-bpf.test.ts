// Seccomp profiles compiled once: the helper's seccomp-export gives the BPF program, plans then carry it
// (`seccomp-bpf`) instead of the rules, and a container launched that way is filtered exactly as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLaunchPlan } from '../../src/runtime/plan/compile.js';
import { seccompLines } from '../../src/runtime/plan/launch-plan.js';
import { withCompiledSeccomp } from '../../src/runtime/plan/seccomp-bpf.js';
import { defaultHelperPath } from '../../src/runtime/native/index.js';
import { hardenedSpec } from '../../src/runtime/index.js';

test('a profile compiles once to BPF; the plan then sends the program, not the rules; a listener keeps the rules', async () => {
  const plan = compileLaunchPlan(hardenedSpec({ args: ['true'] }), '/tmp', { bundleDir: '/tmp', lastCap: 40, rootless: false });
  const sc = plan.process.seccomp!;
  const rules = seccompLines(sc);
  assert.ok(rules.some((l) => l.startsWith('seccomp-rule ')));
  await withCompiledSeccomp(sc, defaultHelperPath());
  assert.match(sc.bpf ?? '', /^([0-9a-f]{16})+$/, 'whole sock_filter instructions, hex');
  const lines = seccompLines(sc);
  assert.equal(lines.filter((l) => l.startsWith('seccomp-bpf ')).length, 1);
  assert.ok(!lines.some((l) => l.startsWith('seccomp-rule ') || l.startsWith('seccomp-default ')));
  // Same profile, same program (cached); a notify profile keeps libseccomp's path for its listener fd.
  const again = compileLaunchPlan(hardenedSpec({ args: ['true'] }), '/tmp', { bundleDir: '/tmp', lastCap: 40, rootless: false }).process.seccomp!;
  await withCompiledSeccomp(again, defaultHelperPath());
  assert.equal(again.bpf, sc.bpf);
  const notify = { ...again, bpf: undefined, listenerPath: '/run/agent.sock' };
  await withCompiledSeccomp(notify, defaultHelperPath());
  assert.equal(notify.bpf, undefined);
});
