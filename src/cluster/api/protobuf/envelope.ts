// Kubernetes' protobuf envelope: the 4-byte magic `k8s\0`, then a runtime.Unknown message
// (k8s.io/apimachinery v0.32.0 pkg/runtime/generated.proto: typeMeta = 1 {apiVersion = 1, kind = 2},
// raw = 2, contentEncoding = 3, contentType = 4). `raw` is the object's own message, which carries no
// apiVersion or kind; those come from typeMeta and are put back on the decoded JSON object.
import { decodeMessage } from './decode.js';
import { rootMessageOf, SCHEMA } from './kinds.js';
import { ProtobufError, readFields, WIRE_LEN, type WireField } from './wire.js';

/** The media type of Kubernetes' protobuf encoding. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The prefix of every protobuf-encoded object. */
export const PROTOBUF_MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

/** An envelope whose apiVersion/kind has no schema here (→ 415: the client can send JSON instead). */
export class UnsupportedKindError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(
      `protobuf-encoded ${kind} (${apiVersion || 'no apiVersion'}) is not supported by this server; send it as application/json`,
    );
    this.name = 'UnsupportedKindError';
  }
}

/** The parts of a runtime.Unknown that matter here. */
export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function lenOf(w: WireField, what: string): Uint8Array {
  if (w.wireType !== WIRE_LEN) throw new ProtobufError(`${what} has wire type ${w.wireType}, expected ${WIRE_LEN}`);
  return w.bytes!;
}

const str = (w: WireField, what: string) => Buffer.from(lenOf(w, what)).toString('utf8');

/** Checks the magic and reads the runtime.Unknown envelope. */
export function readEnvelope(body: Uint8Array): Envelope {
  if (body.length < PROTOBUF_MAGIC.length || PROTOBUF_MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufError('the body does not start with the protobuf magic "k8s\\x00"');
  }
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(), contentEncoding: '', contentType: '' };
  const wrap = (err: unknown) => new ProtobufError(`runtime.Unknown: ${(err as Error).message}`);
  let fields: WireField[];
  try {
    fields = readFields(body.subarray(PROTOBUF_MAGIC.length));
  } catch (err) {
    throw wrap(err);
  }
  for (const w of fields) {
    switch (w.number) {
      case 1: {
        let meta: WireField[];
        const typeMeta = lenOf(w, 'runtime.Unknown.typeMeta');
        try {
          meta = readFields(typeMeta);
        } catch (err) {
          throw wrap(err);
        }
        for (const m of meta) {
          if (m.number === 1) env.apiVersion = str(m, 'runtime.TypeMeta.apiVersion');
          else if (m.number === 2) env.kind = str(m, 'runtime.TypeMeta.kind');
          else throw new ProtobufError(`unknown field number ${m.number} in runtime.TypeMeta`);
        }
        break;
      }
      case 2:
        env.raw = lenOf(w, 'runtime.Unknown.raw');
        break;
      case 3:
        env.contentEncoding = str(w, 'runtime.Unknown.contentEncoding');
        break;
      case 4:
        env.contentType = str(w, 'runtime.Unknown.contentType');
        break;
      default:
        throw new ProtobufError(`unknown field number ${w.number} in runtime.Unknown`);
    }
  }
  return env;
}

/**
 * Decodes a protobuf request body into the JSON object the same client would have sent as
 * application/json. Throws ProtobufError (malformed → 400) or UnsupportedKindError (no schema → 415).
 */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  const env = readEnvelope(body);
  if (env.contentEncoding) {
    throw new ProtobufError(`runtime.Unknown.contentEncoding ${JSON.stringify(env.contentEncoding)} is not supported`);
  }
  if (env.contentType && env.contentType !== PROTOBUF_MEDIA_TYPE) {
    throw new ProtobufError(`runtime.Unknown.contentType ${JSON.stringify(env.contentType)} is not ${PROTOBUF_MEDIA_TYPE}`);
  }
  if (!env.kind) throw new ProtobufError('runtime.Unknown.typeMeta has no kind');
  const root = rootMessageOf(env.apiVersion, env.kind);
  if (!root) throw new UnsupportedKindError(env.apiVersion, env.kind);
  const object = decodeMessage(SCHEMA, root, env.raw);
  return { kind: env.kind, ...(env.apiVersion ? { apiVersion: env.apiVersion } : {}), ...object };
}
