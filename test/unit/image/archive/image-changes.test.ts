import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, splitWords } from '../../../../src/image/archive/image-changes.js';
import { importConfig, imageDocuments } from '../../../../src/image/archive/import-config.js';

test('CMD and ENTRYPOINT in JSON and shell form', () => {
  assert.deepEqual(applyChanges({}, ['CMD ["sh"]']).Cmd, ['sh']);
  assert.deepEqual(applyChanges({}, ['cmd echo "hi there"']).Cmd, ['/bin/sh', '-c', 'echo "hi there"']);
  assert.deepEqual(applyChanges({}, ['CMD [not json']).Cmd, ['/bin/sh', '-c', '[not json']);
  assert.deepEqual(applyChanges({ Shell: ['/bin/ash', '-c'] }, ['CMD ls']).Cmd, ['/bin/ash', '-c', 'ls']);
  // A new ENTRYPOINT drops an inherited CMD, but not one these changes set.
  assert.deepEqual(applyChanges({ Cmd: ['old'] }, ['ENTRYPOINT ["/init"]']), { Cmd: null, Entrypoint: ['/init'] });
  assert.deepEqual(applyChanges({ Cmd: ['old'] }, ['CMD ["new"]', 'ENTRYPOINT ["/init"]']), { Cmd: ['new'], Entrypoint: ['/init'] });
});

test('ENV and LABEL: key=value lists with quotes, and the legacy "key value" form', () => {
  const c = applyChanges({ Env: ['PATH=/bin', 'A=old'] }, ['ENV A=1 B="two words" C=x\\ y', 'ENV D some value', "LABEL org.x='q v' y=z"]);
  assert.deepEqual(c.Env, ['PATH=/bin', 'A=1', 'B=two words', 'C=x y', 'D=some value']);
  assert.deepEqual(c.Labels, { 'org.x': 'q v', y: 'z' });
  assert.throws(() => applyChanges({}, ['ENV A']), /ENV A needs a value/);
  assert.throws(() => applyChanges({}, ['ENV A=1 =2']), /"=2" is not key=value/);
  assert.throws(() => applyChanges({}, ['LABEL a="open']), /unterminated " quote/);
});

test('WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, ONBUILD, HEALTHCHECK', () => {
  const c = applyChanges({}, [
    'WORKDIR /app', 'WORKDIR sub/../src', 'USER 1000:1000', 'EXPOSE 80 53/udp 8000-8002/TCP', 'VOLUME ["/data", "/logs"]',
    'VOLUME /cache', 'STOPSIGNAL SIGQUIT', 'ONBUILD RUN make', 'HEALTHCHECK --interval=1m30s --retries=3 CMD curl -f http://localhost/',
  ]);
  assert.equal(c.WorkingDir, '/app/src');
  assert.equal(c.User, '1000:1000');
  assert.deepEqual(Object.keys(c.ExposedPorts!), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp', '8002/tcp']);
  assert.deepEqual(c.Volumes, { '/data': {}, '/logs': {}, '/cache': {} });
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.deepEqual(c.OnBuild, ['RUN make']);
  assert.deepEqual(c.Healthcheck, { Interval: 90e9, Retries: 3, Test: ['CMD-SHELL', 'curl -f http://localhost/'] });
  assert.deepEqual(applyChanges({}, ['HEALTHCHECK NONE']).Healthcheck, { Test: ['NONE'] });
  assert.deepEqual(applyChanges({}, ['HEALTHCHECK CMD ["true"]']).Healthcheck, { Test: ['CMD', 'true'] });
});

test('bad changes name the change and the problem', () => {
  assert.throws(() => applyChanges({}, ['RUN make']), /--change "RUN make": unknown or unsupported instruction RUN \(supported: CMD, ENTRYPOINT/);
  assert.throws(() => applyChanges({}, ['CMD']), /--change "CMD": CMD requires an argument/);
  assert.throws(() => applyChanges({}, ['EXPOSE http']), /invalid port "http"/);
  assert.throws(() => applyChanges({}, ['EXPOSE 70000']), /invalid port range/);
  assert.throws(() => applyChanges({}, ['STOPSIGNAL 9x']), /invalid signal "9x"/);
  assert.throws(() => applyChanges({}, ['HEALTHCHECK --interval=soon CMD x']), /invalid duration "soon"/);
  assert.throws(() => applyChanges({}, ['ONBUILD ONBUILD x']), /ONBUILD is not allowed/);
  assert.throws(() => applyChanges({}, ['   ']), /empty instruction/);
});

test('word splitting keeps quoted spaces and escapes', () => {
  assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g "h\\"i"`), ['a', 'b c', 'd e', 'f g', 'h"i']);
  assert.deepEqual(splitWords(`""`), ['']);
});

test('import config: Docker\'s comment and history, platform, changes; manifest points at config and layer', () => {
  const diffId = `sha256:${'1'.repeat(64)}` as const;
  const c = importConfig({ diffId, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, created: '2026-01-01T00:00:00Z', changes: ['CMD ["sh"]'] });
  assert.deepEqual(c, {
    architecture: 'arm64', comment: 'Imported from -', config: { Cmd: ['sh'] }, created: '2026-01-01T00:00:00Z',
    history: [{ created: '2026-01-01T00:00:00Z', comment: 'Imported from -' }], os: 'linux',
    rootfs: { type: 'layers', diff_ids: [diffId] }, variant: 'v8',
  });
  assert.equal(importConfig({ diffId, platform: { os: 'linux', architecture: 'amd64' }, created: 'x', message: 'msg' }).history![0]!.comment, 'msg');
  assert.equal(importConfig({ diffId, platform: { os: 'linux', architecture: 'amd64' }, created: 'x', source: 'rootfs.tar' }).comment, 'Imported from rootfs.tar');
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'2'.repeat(64)}` as const, size: 5 };
  const docs = imageDocuments(c, layer);
  assert.equal(docs.manifest.doc.config.digest, docs.config.descriptor.digest);
  assert.deepEqual(docs.manifest.doc.layers, [layer]);
  assert.equal(docs.config.descriptor.size, docs.config.bytes.length);
  assert.deepEqual(JSON.parse(docs.config.bytes.toString()), c);
});
