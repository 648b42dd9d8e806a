// The API edge of the protobuf decoder: what the request handlers call for a body sent as
// application/vnd.kubernetes.protobuf, with decoder failures turned into Kubernetes Status errors.
import type { KubeObject } from '../../resources/index.js';
import { badRequest } from '../status.js';
import { ApiError } from '../types.js';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE, UnsupportedKindError } from './envelope.js';
import { ProtobufError } from './wire.js';

/** True when a request's media type (lowercased, without parameters) is Kubernetes' protobuf. */
export function isProtobufMediaType(mediaType: string): boolean {
  return mediaType === PROTOBUF_MEDIA_TYPE;
}

/** Decodes a protobuf request body to its JSON object: 400 when malformed, 415 for a kind with no schema here. */
export function decodeProtobufRequest(body: Uint8Array): KubeObject {
  try {
    return decodeProtobufObject(body) as KubeObject;
  } catch (err) {
    if (err instanceof UnsupportedKindError) {
      throw new ApiError(415, 'UnsupportedMediaType', err.message, { kind: PROTOBUF_MEDIA_TYPE });
    }
    if (err instanceof ProtobufError) throw badRequest(`error decoding protobuf body: ${err.message}`);
    throw err;
  }
}
