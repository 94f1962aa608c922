/**
 * The benches' child processes report on stdout, one JSON object per line (other lines are
 * logs): wait for the first object a predicate accepts.
 */
import type { ChildProcess } from 'node:child_process';

export function waitForLine<T>(child: ChildProcess, pred: (msg: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let msg: T;
        try {
          msg = JSON.parse(line) as T;
        } catch {
          continue; // a log line
        }
        if (pred(msg)) {
          child.stdout?.off('data', onData);
          resolve(msg);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
}
