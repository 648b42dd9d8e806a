// Bad pods and metadata, and the causes kube-apiserver gives for them (field path, reason, message), checked
// after defaulting, as the server validates. validation-kinds.test.ts covers the other kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from '../../../../src/cluster/resources/defaults/index.js';
import { validateCreate } from '../../../../src/cluster/resources/validation/index.js';
import type { Cause, GroupVersionKind, KubeObject } from '../../../../src/cluster/resources/types.js';

const core = (kind: string) => ({ group: '', version: 'v1', kind });

const meta = (name = 'x', extra: object = {}) => ({ name, namespace: 'default', ...extra });
const pod = (spec: object, m: object = meta()): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: m, spec });
const ctr = (extra: object = {}) => ({ name: 'web', image: 'nginx', ...extra });

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

type Case = [
  title: string,
  gvk: GroupVersionKind,
  obj: KubeObject,
  expected: [field: string, reason: Cause['reason'], message: string][],
];

const cases: Case[] = [
  [
    'pod without image',
    core('Pod'),
    pod({ containers: [{ name: 'web' }] }),
    [['spec.containers[0].image', 'FieldValueRequired', 'Required value']],
  ],
  ['pod without containers', core('Pod'), pod({}), [['spec.containers', 'FieldValueRequired', 'Required value']]],
  [
    'pod without name',
    core('Pod'),
    pod({ containers: [ctr()] }, { namespace: 'default' }),
    [['metadata.name', 'FieldValueRequired', 'Required value: name or generateName is required']],
  ],
  [
    'upper-case pod name',
    core('Pod'),
    pod({ containers: [ctr()] }, meta('Web_1')),
    [['metadata.name', 'FieldValueInvalid', `Invalid value: "Web_1": ${SUBDOMAIN_MSG}`]],
  ],
  [
    'bad generateName',
    core('Pod'),
    pod({ containers: [ctr()] }, { generateName: 'Web-', name: 'Web-x7k2q', namespace: 'default' }),
    [
      ['metadata.generateName', 'FieldValueInvalid', `Invalid value: "Web-": ${SUBDOMAIN_MSG}`],
      ['metadata.name', 'FieldValueInvalid', `Invalid value: "Web-x7k2q": ${SUBDOMAIN_MSG}`],
    ],
  ],
  [
    'container name not a DNS label',
    core('Pod'),
    pod({ containers: [ctr({ name: 'Web' })] }),
    [['spec.containers[0].name', 'FieldValueInvalid', `Invalid value: "Web": ${LABEL_MSG}`]],
  ],
  [
    'duplicate container names',
    core('Pod'),
    pod({ containers: [ctr(), ctr()] }),
    [['spec.containers[1].name', 'FieldValueDuplicate', 'Duplicate value: "web"']],
  ],
  [
    'unsupported restartPolicy',
    core('Pod'),
    pod({ containers: [ctr()], restartPolicy: 'Sometimes' }),
    [
      [
        'spec.restartPolicy',
        'FieldValueNotSupported',
        'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
    ],
  ],
  [
    'unsupported imagePullPolicy',
    core('Pod'),
    pod({ containers: [ctr({ imagePullPolicy: 'Sometimes' })] }),
    [
      [
        'spec.containers[0].imagePullPolicy',
        'FieldValueNotSupported',
        'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      ],
    ],
  ],
  [
    'unsupported port protocol',
    core('Pod'),
    pod({ containers: [ctr({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })] }),
    [
      [
        'spec.containers[0].ports[0].protocol',
        'FieldValueNotSupported',
        'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
  ],
  [
    'port out of range',
    core('Pod'),
    pod({ containers: [ctr({ ports: [{ containerPort: 70000 }] })] }),
    [
      [
        'spec.containers[0].ports[0].containerPort',
        'FieldValueInvalid',
        'Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    ],
  ],
  [
    'duplicate port names',
    core('Pod'),
    pod({
      containers: [
        ctr({
          ports: [
            { name: 'http', containerPort: 80 },
            { name: 'http', containerPort: 81 },
          ],
        }),
      ],
    }),
    [['spec.containers[0].ports[1].name', 'FieldValueDuplicate', 'Duplicate value: "http"']],
  ],
  [
    'port name too long',
    core('Pod'),
    pod({ containers: [ctr({ ports: [{ name: 'a-very-long-port-name', containerPort: 80 }] })] }),
    [
      [
        'spec.containers[0].ports[0].name',
        'FieldValueInvalid',
        'Invalid value: "a-very-long-port-name": must be no more than 15 characters',
      ],
    ],
  ],
  [
    'cpu quantity does not parse',
    core('Pod'),
    pod({ containers: [ctr({ resources: { limits: { cpu: 'lots' } } })] }),
    [
      [
        'spec.containers[0].resources.limits[cpu]',
        'FieldValueInvalid',
        `Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      ],
    ],
  ],
  [
    'requests above limits',
    core('Pod'),
    pod({ containers: [ctr({ resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } })] }),
    [
      [
        'spec.containers[0].resources.requests[memory]',
        'FieldValueInvalid',
        'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
      ],
    ],
  ],
  [
    'negative cpu',
    core('Pod'),
    pod({ containers: [ctr({ resources: { requests: { cpu: '-1' } } })] }),
    [
      [
        'spec.containers[0].resources.requests[cpu]',
        'FieldValueInvalid',
        'Invalid value: "-1": must be greater than or equal to 0',
      ],
    ],
  ],
  [
    'mount of an undeclared volume',
    core('Pod'),
    pod({ containers: [ctr({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] }),
    [['spec.containers[0].volumeMounts[0].name', 'FieldValueNotFound', 'Not found: "data"']],
  ],
  [
    'bad env name',
    core('Pod'),
    pod({ containers: [ctr({ env: [{ name: '1BAD', value: 'x' }] })] }),
    [
      [
        'spec.containers[0].env[0].name',
        'FieldValueInvalid',
        `Invalid value: "1BAD": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
      ],
    ],
  ],
  [
    'bad label value',
    core('Pod'),
    pod({ containers: [ctr()] }, meta('x', { labels: { app: 'not ok' } })),
    [
      [
        'metadata.labels',
        'FieldValueInvalid',
        `Invalid value: "not ok": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
  ],
  [
    'bad label key',
    core('Pod'),
    pod({ containers: [ctr()] }, meta('x', { labels: { 'a/b/c': 'v' } })),
    [
      [
        'metadata.labels',
        'FieldValueInvalid',
        `Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    ],
  ],
  [
    'annotations over 256 KiB',
    core('Pod'),
    pod({ containers: [ctr()] }, meta('x', { annotations: { big: 'x'.repeat(262145) } })),
    [['metadata.annotations', 'FieldValueTooLong', 'Too long: may not be more than 262144 bytes']],
  ],
  [
    'namespaced object without namespace',
    core('ConfigMap'),
    { metadata: { name: 'c' } },
    [['metadata.namespace', 'FieldValueRequired', 'Required value']],
  ],
  [
    'namespace on a cluster-scoped kind',
    core('Node'),
    { metadata: { name: 'n', namespace: 'default' } },
    [['metadata.namespace', 'FieldValueForbidden', 'Forbidden: not allowed on this type']],
  ],
  [
    'namespace name not a DNS label',
    core('Namespace'),
    { metadata: { name: 'a.b' } },
    [['metadata.name', 'FieldValueInvalid', `Invalid value: "a.b": ${LABEL_MSG}`]],
  ],
];

for (const [title, gvk, obj, expected] of cases) {
  test(`invalid: ${title}`, () => {
    const causes = validateCreate(gvk, applyDefaults(gvk, obj));
    for (const [field, reason, message] of expected) {
      assert.ok(
        causes.some((c) => c.field === field && c.reason === reason && c.message === message),
        `expected ${field}: ${message}\n got: ${JSON.stringify(causes, null, 1)}`,
      );
    }
  });
}
