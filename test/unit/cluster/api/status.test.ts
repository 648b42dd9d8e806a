// Status errors: storage errors mapped at the edge, and the exact shapes clients parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageError } from '../../../../src/cluster/storage/errors.js';
import { alreadyExists, conflict, forbidden, notFound, statusBody, toApiError } from '../../../../src/cluster/api/status.js';

test('messages name the qualified resource', () => {
  assert.equal(notFound({ group: 'apps', resource: 'deployments' }, 'web').message, 'deployments.apps "web" not found');
  assert.equal(alreadyExists({ group: '', resource: 'pods' }, 'p').message, 'pods "p" already exists');
  assert.equal(conflict({ group: '', resource: 'pods' }, 'p').message, 'Operation cannot be fulfilled on pods "p": the object has been modified; please apply your changes to the latest version and try again');
  assert.equal(forbidden({ group: '', resource: '' }, undefined, 'x').message, 'forbidden: x');
});

test('storage errors map to 404, 409, 410, 503 and 500', () => {
  const gr = { group: '', resource: 'pods' };
  assert.equal(toApiError(new StorageError('NotFound', 'k'), gr, 'p').code, 404);
  assert.equal(toApiError(new StorageError('AlreadyExists', 'k'), gr, 'p').reason, 'AlreadyExists');
  assert.equal(toApiError(new StorageError('Conflict', 'k'), gr, 'p').code, 409);
  assert.equal(toApiError(new StorageError('Expired', 'gone'), gr).code, 410);
  assert.equal(toApiError(new StorageError('Unavailable', 'down'), gr).code, 503);
  const internal = toApiError(new Error('boom'));
  assert.equal(internal.code, 500);
  assert.equal(internal.message, 'Internal error occurred: boom');
});

test('a Status body has Kubernetes’ field set', () => {
  assert.deepEqual(statusBody(notFound({ group: '', resource: 'pods' }, 'x')), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods "x" not found',
    reason: 'NotFound',
    details: { name: 'x', kind: 'pods' },
    code: 404,
  });
});
