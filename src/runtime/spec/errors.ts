// The one error type for everything wrong with a bundle or its config.json.

/** A problem in the OCI config: `field` is the JSON path (e.g. `linux.namespaces[2].type`). */
export class SpecError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    // The field leads the message so a CLI can print it as-is and the user knows where to look.
    super(field ? `${field}: ${message}` : message);
    this.name = 'SpecError';
    this.field = field;
  }
}
