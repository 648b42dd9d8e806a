// Where the API schemas come from: the generated models of `@kubernetes/client-node`, an npm package whose
// `dist/gen/models/<Name>.js` lists each type's fields (JSON name, type, format) and whose `<Name>.d.ts`
// carries Kubernetes' field descriptions. Reading them as text keeps the schemas in lockstep with the
// Kubernetes version of that package without copying any schema into this repository.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/** The two generated files of one model. */
export interface ModelFiles {
  js: string;
  dts: string;
}

/** Reads the generated files of a model by its client-node name (`V1Pod`, `CoreV1Event`, …). */
export interface ModelSource {
  read(name: string): ModelFiles | undefined;
  /** The Kubernetes version the models were generated from, e.g. `v1.32.0`, when known. */
  specVersion(): string | undefined;
}

const PACKAGE = '@kubernetes/client-node';

/** The models directory of the installed `@kubernetes/client-node` package. */
export function locateModelsDir(from: string = import.meta.url): string {
  let pkgJson: string;
  try {
    pkgJson = createRequire(from).resolve(`${PACKAGE}/package.json`);
  } catch {
    throw new Error(`the OpenAPI schemas need the npm package ${PACKAGE}; install it (npm install ${PACKAGE})`);
  }
  return path.join(path.dirname(pkgJson), 'dist', 'gen', 'models');
}

/** A ModelSource reading files from a models directory (default: the installed client-node package). */
export function fileModelSource(dir?: string): ModelSource {
  let resolved = dir;
  const base = () => (resolved ??= locateModelsDir());
  let version: string | undefined | null = null;
  return {
    read(name) {
      if (!/^[A-Za-z0-9]+$/.test(name)) return undefined;
      try {
        return {
          js: fs.readFileSync(path.join(base(), `${name}.js`), 'utf8'),
          dts: fs.readFileSync(path.join(base(), `${name}.d.ts`), 'utf8'),
        };
      } catch {
        return undefined;
      }
    },
    specVersion() {
      if (version === null) {
        const pod = this.read('V1Pod');
        version = pod ? /OpenAPI spec version: (\S+)/.exec(pod.dts)?.[1] : undefined;
      }
      return version ?? undefined;
    },
  };
}

/** A ModelSource over in-memory files, for tests. */
export function memoryModelSource(files: Record<string, ModelFiles>, version?: string): ModelSource {
  return { read: (name) => files[name], specVersion: () => version };
}
