// Kubernetes' protobuf request bodies (kubectl's typed clients send them): decoded into the JSON the same
// client would have sent, so the rest of the API server sees only JSON. Responses stay JSON.
export { decodeProtobufRequest, isProtobufMediaType } from './request-body.js';
export {
  decodeProtobufObject,
  readEnvelope,
  PROTOBUF_MAGIC,
  PROTOBUF_MEDIA_TYPE,
  UnsupportedKindError,
  type Envelope,
} from './envelope.js';
export { decodeMessage } from './decode.js';
export { rootMessageOf, supportedKinds, SCHEMA } from './kinds.js';
export { buildSchema, parseMessage, type FieldDef, type MessageDef, type Schema, type SchemaTable } from './schema.js';
export { ProtobufError } from './wire.js';
