// Per-network NAT and forward rules without a kernel: the rules a network needs, the one restore script that
// installs or removes them (idempotent, race-safe), and NetworkRules' once-per-manager caching and retries,
// run against an in-memory iptables that refuses what the kernel refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkRules, jumpRule, BERTH_CHAINS, ISOLATION_CHAINS, networkComment } from '../../../src/network/iptables/rules.js';
import { ensureScript, parseSave, removeScript } from '../../../src/network/iptables/plan.js';
import { NetworkRules, removeBridgeRules } from '../../../src/network/iptables/network-rules.js';
import { isNetworkError } from '../../../src/network/errors.js';
import type { NetworkResource } from '../../../src/network/types.js';
import { FakeIptables } from './fake-iptables.js';

const net = (o: Partial<NetworkResource> = {}): NetworkResource => ({
  Name: 'web', Id: 'a'.repeat(64), Created: '', Driver: 'bridge', Scope: 'local', EnableIPv6: false,
  IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.7.0.0/24', Gateway: '10.7.0.1' }] },
  Internal: false, Attachable: false, Options: {}, Labels: {}, bridgeName: 'br-web', ...o,
});
const C = `-m comment --comment "berth network ${'a'.repeat(64)}"`;
const other = net({ Name: 'db', Id: 'b'.repeat(64), bridgeName: 'br-db', IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.8.0.0/24', Gateway: '10.8.0.1' }] } });

/** Plans and applies (as NetworkRules would, without retries). */
async function ensure(ipt: FakeIptables, n: NetworkResource): Promise<string> {
  const s = ensureScript(parseSave(await ipt.save()), n);
  if (s) await ipt.restore(s);
  return s;
}
async function remove(ipt: FakeIptables, n: NetworkResource): Promise<string> {
  const s = removeScript(parseSave(await ipt.save()), n);
  if (s) await ipt.restore(s);
  return s;
}

test('a network gets one MASQUERADE rule, four forward accepts and two isolation rules, each carrying a comment with its id', () => {
  assert.equal(networkComment('x'), 'berth network x');
  assert.deepEqual(networkRules(net()).map((r) => `${r.table} ${r.line}`), [
    `nat -A BERTH-POSTROUTING -s 10.7.0.0/24 ! -o br-web ${C} -j MASQUERADE`,
    `filter -A BERTH-FORWARD -o br-web -m conntrack --ctstate RELATED,ESTABLISHED ${C} -j ACCEPT`,
    `filter -A BERTH-FORWARD -o br-web -m conntrack --ctstate DNAT ${C} -j ACCEPT`,
    `filter -A BERTH-FORWARD -i br-web ! -o br-web ${C} -j ACCEPT`,
    `filter -A BERTH-FORWARD -i br-web -o br-web ${C} -j ACCEPT`,
    `filter -A BERTH-ISOLATION-1 -i br-web ! -o br-web -m conntrack ! --ctstate DNAT ${C} -j BERTH-ISOLATION-2`,
    `filter -A BERTH-ISOLATION-2 -o br-web ${C} -j DROP`,
  ]);
  assert.deepEqual(networkRules(net({ Options: { 'com.docker.network.bridge.enable_ip_masquerade': 'false' } })).map((r) => r.table), Array(6).fill('filter'));
});

/** Where a packet crossing FORWARD from `inIf` to `outIf` ends, following Berth's filter chains (enough of iptables for these rules). */
function verdict(ipt: FakeIptables, inIf: string, outIf: string, dnat = false): string {
  const rules = ipt.lines('filter');
  const walk = (chain: string): string | undefined => {
    for (const l of rules.filter((r) => r.startsWith(`-A ${chain} `))) {
      const has = (re: RegExp) => re.exec(l)?.[1];
      const i = has(/(?:^| )-i (\S+)/), noO = has(/! -o (\S+)/), o = has(/(?:^| )-o (\S+)/);
      if (i && i !== inIf) continue;
      if (noO && noO === outIf) continue;
      if (o && !l.includes(`! -o ${o}`) && o !== outIf) continue;
      if (l.includes('! --ctstate DNAT') && dnat) continue;
      if (l.includes('--ctstate RELATED,ESTABLISHED') || (l.includes('--ctstate DNAT') && !l.includes('! --ctstate') && !dnat)) continue;
      const target = / -j (\S+)$/.exec(l)![1]!;
      if (target === 'ACCEPT' || target === 'DROP') return target;
      const r = walk(target);
      if (r) return r;
    }
    return undefined;
  };
  return walk('FORWARD') ?? 'policy';
}

test('isolation: no new connection between two bridge networks in either direction; the outside and published ports stay reachable', async () => {
  const ipt = new FakeIptables();
  await ensure(ipt, net());
  await ensure(ipt, other);
  assert.equal(ipt.lines('filter').find((l) => l.startsWith('-A BERTH-FORWARD ')), jumpRule(ISOLATION_CHAINS.stage1), 'isolation is checked before any accept');
  assert.equal(verdict(ipt, 'br-web', 'br-db'), 'DROP');
  assert.equal(verdict(ipt, 'br-db', 'br-web'), 'DROP');
  assert.equal(verdict(ipt, 'br-web', 'br-web'), 'ACCEPT', 'within one network');
  assert.equal(verdict(ipt, 'br-web', 'eth0'), 'ACCEPT', 'to the outside');
  assert.equal(verdict(ipt, 'eth0', 'br-web', true), 'ACCEPT', 'a published port from outside');
  assert.equal(verdict(ipt, 'br-db', 'br-web', true), 'ACCEPT', 'a published port from another network');
  // Removing one network drops its isolation rules too; the other is then alone and unaffected.
  await remove(ipt, net());
  assert.equal(verdict(ipt, 'br-db', 'eth0'), 'ACCEPT');
  assert.deepEqual(ipt.lines('filter').filter((l) => l.includes('br-web')), []);
});

test('an internal network gets no MASQUERADE and no way out: only bridge-local traffic, the rest dropped first', () => {
  assert.deepEqual(networkRules(net({ Internal: true })).map((r) => `${r.table} ${r.first} ${r.line}`), [
    `filter true -A BERTH-FORWARD ! -s 10.7.0.0/24 -o br-web ${C} -j DROP`,
    `filter true -A BERTH-FORWARD ! -d 10.7.0.0/24 -i br-web ${C} -j DROP`,
    `filter false -A BERTH-FORWARD -i br-web -o br-web ${C} -j ACCEPT`,
  ]);
  assert.throws(() => networkRules(net({ Driver: 'host', bridgeName: undefined })), (e: unknown) => isNetworkError(e, 'InvalidArgument') && /network web \(host\) has no bridge/.test((e as Error).message));
  assert.throws(() => networkRules(net({ bridgeName: 'br x; -j ACCEPT' })), /no bridge and IPv4 subnet/, 'nothing odd reaches a restore script');
});

test('on an empty host one script creates the chains with -N, inserts the jumps first, and appends the rules', async () => {
  const ipt = new FakeIptables();
  const script = await ensure(ipt, net());
  assert.equal(script, [
    '*nat', '-N BERTH-POSTROUTING', '-I POSTROUTING 1 -m comment --comment "berth networks" -j BERTH-POSTROUTING',
    `-A BERTH-POSTROUTING -s 10.7.0.0/24 ! -o br-web ${C} -j MASQUERADE`, 'COMMIT',
    '*filter', '-N BERTH-FORWARD', '-N BERTH-ISOLATION-1', '-N BERTH-ISOLATION-2',
    '-I FORWARD 1 -m comment --comment "berth networks" -j BERTH-FORWARD',
    '-I BERTH-FORWARD 1 -m comment --comment "berth networks" -j BERTH-ISOLATION-1',
    ...networkRules(net()).filter((r) => r.table === 'filter').map((r) => r.line), 'COMMIT', '',
  ].join('\n'));
  assert.ok(!script.includes(':BERTH'), 'chains are never declared: with --noflush that would flush another network\'s rules');
  assert.deepEqual(ipt.lines('nat'), [jumpRule(BERTH_CHAINS.nat), `-A BERTH-POSTROUTING -s 10.7.0.0/24 ! -o br-web ${C} -j MASQUERADE`]);
  assert.equal(await ensure(ipt, net()), '', 'a second pass finds everything in place and changes nothing');
});

test('a second network only appends its rules; internal DROPs go to the top; partial or stale rules are replaced', async () => {
  const ipt = new FakeIptables();
  await ensure(ipt, other);
  const script = await ensure(ipt, net({ Internal: true }));
  assert.doesNotMatch(script, /-N |-I FORWARD|\*nat/, 'chain and jump exist already; an internal network has no nat rule');
  assert.match(script, /^-I BERTH-FORWARD 1 ! -s 10\.7\.0\.0\/24 -o br-web .* -j DROP$/m);
  assert.match(ipt.lines('filter')[1]!, /^-A BERTH-FORWARD ! -(s|d) 10\.7\.0\.0\/24 .* -j DROP$/, 'the DROPs precede db\'s ACCEPTs');
  assert.match(ipt.lines('filter')[2]!, /-j DROP$/);

  // Someone deleted one rule, and the bridge was renamed meanwhile: all of web's rules are rewritten.
  const renamed = net({ bridgeName: 'br-web2' });
  await ensure(ipt, net());
  ipt.apply(`*filter\n-D ${ipt.lines('filter').find((l) => l.includes('DNAT') && l.includes('br-web '))!.slice(3)}\nCOMMIT\n`);
  await ensure(ipt, renamed);
  const web = [...ipt.lines('nat'), ...ipt.lines('filter')].filter((l) => l.includes(C));
  assert.deepEqual(web.sort(), networkRules(renamed).map((r) => r.line).sort());
  assert.equal(await ensure(ipt, renamed), '');

  // The jump was deleted by hand: only the jump comes back.
  ipt.apply(`*filter\n-D ${jumpRule(BERTH_CHAINS.filter).slice(3)}\nCOMMIT\n`);
  assert.equal(await ensure(ipt, renamed), `*filter\n-I FORWARD 1 -m comment --comment "berth networks" -j BERTH-FORWARD\nCOMMIT\n`);
});

test('removing networks deletes their rules, then the jumps (every copy) and chains with the last one', async () => {
  const ipt = new FakeIptables('*filter\n:CNI-FORWARD - [0:0]\n-A FORWARD -j CNI-FORWARD\nCOMMIT\n');
  const before = await ipt.save();
  await ensure(ipt, net());
  await ensure(ipt, other);
  ipt.apply(`*nat\n-A POSTROUTING -m comment --comment "berth networks" -j BERTH-POSTROUTING\nCOMMIT\n`); // a racing twin
  const first = await remove(ipt, net());
  assert.doesNotMatch(first, /-X /, 'db still has rules in both chains');
  assert.deepEqual([...ipt.lines('nat'), ...ipt.lines('filter')].filter((l) => l.includes(C)), []);
  const last = await remove(ipt, other);
  assert.match(last, /-X BERTH-POSTROUTING/);
  assert.match(last, /-X BERTH-FORWARD/);
  assert.equal(await ipt.save(), before, 'the host is exactly as before');
  assert.equal(await remove(ipt, other), '', 'removing again is a no-op');
});

test('NetworkRules verifies a network once per manager, serializes, retries a restore that lost a race, then names the fix', async () => {
  const ipt = new FakeIptables();
  const rules = new NetworkRules(ipt);
  await Promise.all([rules.ensure(net()), rules.ensure(net()), rules.ensure(other)]);
  assert.equal(ipt.scripts.length, 2, 'one restore per network');
  const saves = ipt.saves;
  await rules.ensure(net());
  assert.equal(ipt.saves, saves, 'no process at all once a network is known');

  const reopened = new NetworkRules(ipt); // a new manager re-verifies (save only: the rules are there)
  await reopened.ensure(net());
  assert.equal(ipt.scripts.length, 2);

  await rules.remove(net());
  ipt.failNext = 1;
  await rules.ensure(net());
  assert.equal(ipt.scripts.length, 5, 'remove, failed install, retried install');

  assert.ok(ipt.lines('filter').some((l) => l.includes(C)));

  await rules.remove(net());
  ipt.failNext = 3;
  await assert.rejects(rules.ensure(net()), (e: unknown) => isNetworkError(e, 'Internal') &&
    /^network web: installing its NAT\/forward rules failed after 3 attempts: .*Chain already exists.*iptables-save \| grep 'a{64}'/.test((e as Error).message));
  await rules.ensure(net());
  assert.ok(ipt.lines('filter').some((l) => l.includes(C)), 'a failure is not cached: the next attach tries again');
});

test('when another process removes its last network at the same time, the second look still deletes the chains', async () => {
  const ipt = new FakeIptables();
  await ensure(ipt, net());
  await ensure(ipt, other);
  const realSave = ipt.save.bind(ipt);
  let looks = 0;
  // The other process removes db's rules right after our first snapshot, which still shows them.
  ipt.save = async () => { const text = await realSave(); if (++looks === 1) await remove(ipt, other); return text; };
  await new NetworkRules(ipt).remove(net());
  assert.deepEqual([ipt.chains('nat'), ipt.chains('filter'), ipt.lines('nat'), ipt.lines('filter')], [[], [], [], []], 'the chains do not outlive the last network');
});

test('removeBridgeRules clears a bridge\'s rules whatever network record made them, and the chains with the last', async () => {
  const ipt = new FakeIptables();
  const internal = net({ Id: 'c'.repeat(64), Name: 'priv', bridgeName: 'br-priv', Internal: true });
  for (const n of [net(), other, internal]) await ensure(ipt, n);
  await removeBridgeRules('br-web', ipt);
  const all = () => [...ipt.lines('nat'), ...ipt.lines('filter')];
  assert.deepEqual(all().filter((l) => l.includes('br-web')), []);
  assert.equal(all().filter((l) => l.includes('br-db')).length, 7, 'another bridge keeps its rules');
  await removeBridgeRules('br-priv', ipt);
  await removeBridgeRules('br-db', ipt);
  assert.deepEqual([ipt.chains('nat'), ipt.chains('filter'), all()], [[], [], []]);
  await removeBridgeRules('br-db', ipt); // nothing left: a no-op
});
