// The multiplexed stream framing (stdcopy) of attach/exec/logs without a TTY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder, streamContentType, MULTIPLEXED_STREAM, RAW_STREAM } from '../../../../src/engine/api/streams.js';

test('a frame is [stream, 0, 0, 0, length u32 big-endian] + payload', () => {
  const f = encodeFrame(1, 'hello\n');
  assert.deepEqual([...f.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 6]);
  assert.equal(f.subarray(8).toString(), 'hello\n');
  const big = encodeFrame(2, Buffer.alloc(0x01020304 & 0xffff, 7));
  assert.equal(big[0], 2);
  assert.equal(big.readUInt32BE(4), 0x0304);
  assert.deepEqual([...encodeFrame(3, '')], [3, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(encodeFrame(0, Buffer.from([0xff])).readUInt32BE(4), 1);
});

test('lengths are bytes, not characters', () => {
  assert.equal(encodeFrame(1, 'é✓').readUInt32BE(4), 5);
});

test('the decoder splits frames across arbitrary chunk boundaries and keeps a partial tail', () => {
  const wire = Buffer.concat([encodeFrame(1, 'out'), encodeFrame(2, 'err!'), encodeFrame(1, 'more')]);
  const d = new FrameDecoder();
  const got: string[] = [];
  for (let i = 0; i < wire.length; i += 3) {
    for (const f of d.push(wire.subarray(i, i + 3))) got.push(`${f.stream}:${f.data.toString()}`);
  }
  assert.deepEqual(got, ['1:out', '2:err!', '1:more']);
  assert.equal(d.pending, 0);
  assert.deepEqual(d.push(encodeFrame(1, 'abc').subarray(0, 9)), []);
  assert.equal(d.pending, 9);
});

test('content types: raw with a TTY, multiplexed without', () => {
  assert.equal(streamContentType(true), RAW_STREAM);
  assert.equal(streamContentType(false), MULTIPLEXED_STREAM);
  assert.equal(MULTIPLEXED_STREAM, 'application/vnd.docker.multiplexed-stream');
  assert.equal(RAW_STREAM, 'application/vnd.docker.raw-stream');
});
