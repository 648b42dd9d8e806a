import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSpec } from '../../../src/runtime/spec/default-spec.js';
import { validateSpec } from '../../../src/runtime/spec/validate.js';
import { compileLaunchPlan } from '../../../src/runtime/plan/compile.js';
import { serializePlan } from '../../../src/runtime/plan/launch-plan.js';

test('personality compiles to a plan line; bad domains and flags are refused with the field', () => {
  const spec = defaultSpec({ args: ['true'] });
  spec.linux!.personality = { domain: 'LINUX32' };
  validateSpec(spec);
  assert.match(serializePlan(compileLaunchPlan(spec, '/r')), /^personality 8$/m);
  assert.doesNotMatch(serializePlan(compileLaunchPlan(defaultSpec({ args: ['true'] }), '/r')), /^personality/m);
  spec.linux!.personality = { domain: 'SVR4' };
  assert.throws(() => validateSpec(spec), /linux\.personality\.domain/);
  spec.linux!.personality = { domain: 'LINUX', flags: ['SHORT_INODE'] };
  assert.throws(() => validateSpec(spec), /linux\.personality\.flags/);
});
