import { open, type FileHandle } from 'node:fs/promises';

interface Entry {
  handle: Promise<FileHandle>;
  /** The last write on this handle: a handle is closed only after it. */
  last: Promise<unknown>;
}

/**
 * Files kept open for appending: one write per record instead of open, write and close. At most
 * `maxOpen` stay open (least recently used closed first): a batch of thousands of mailboxes
 * must not run out of file descriptors.
 */
export class AppendFiles {
  private readonly files = new Map<string, Entry>();
  /** Files being closed: a file opened again writes only after its earlier writes. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(private readonly maxOpen = 64) {}

  /** `sync`: the write is on disk (fsync) before the promise resolves. */
  append(path: string, text: string, sync = false): Promise<void> {
    let e = this.files.get(path);
    if (e) this.files.delete(path); // re-inserted below: the map's order is the LRU order
    else {
      const handle = (this.closing.get(path) ?? Promise.resolve()).then(() => open(path, 'a'));
      e = { handle, last: handle };
    }
    this.files.set(path, e);
    const entry = e;
    const write = entry.last.catch(() => undefined).then(async () => {
      const h = await entry.handle;
      await h.appendFile(text);
      if (sync) await h.sync();
    });
    entry.last = write;
    while (this.files.size > this.maxOpen) void this.close(this.files.keys().next().value!); // never rejects; a reopen of this path waits for it (closing)
    // A handle that failed to open is not kept: the next append tries again.
    write.catch(() => this.files.get(path) === entry && this.files.delete(path));
    return write;
  }

  /** Closes the file (after its pending writes); the next append opens it again. */
  close(path: string): Promise<void> {
    const e = this.files.get(path);
    if (!e) return Promise.resolve();
    this.files.delete(path);
    const done = e.last
      .catch(() => undefined)
      .then(async () => (await e.handle.catch(() => undefined))?.close())
      .catch(() => undefined); // a failed close leaves nothing to do
    this.closing.set(path, done);
    void done.finally(() => this.closing.get(path) === done && this.closing.delete(path));
    return done;
  }

  closeAll(): Promise<void> {
    return Promise.all([...this.files.keys()].map((p) => this.close(p))).then(() => undefined);
  }
}
