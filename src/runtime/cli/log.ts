// runc's --log/--log-format contract: append one JSON object per line ({level,msg,time}) or text lines.
import fs from 'node:fs';

export type LogFormat = 'text' | 'json';

export class RuntimeLog {
  private fd: number | undefined;

  constructor(file: string | undefined, private readonly format: LogFormat, private readonly debugEnabled = false) {
    if (file) this.fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_SYNC, 0o644);
  }

  error(msg: string): void {
    this.write('error', msg);
  }

  warn(msg: string): void {
    this.write('warning', msg);
  }

  debug(msg: string): void {
    if (this.debugEnabled) this.write('debug', msg);
  }

  private write(level: string, msg: string): void {
    if (this.fd === undefined) return;
    const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const line = this.format === 'json'
      ? JSON.stringify({ level, msg, time })
      : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
    fs.writeSync(this.fd, line + '\n');
  }
}
