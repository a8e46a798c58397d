// What has been started, undone in reverse: the last thing started is the first stopped.

export class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];
  private stopped: Promise<void> | undefined;

  push(step: () => Promise<void> | void): void {
    this.steps.push(async () => step());
  }

  /** Runs every step, newest first; a step that fails does not stop the others. */
  async run(): Promise<void> {
    while (this.steps.length > 0)
      await this.steps
        .pop()?.()
        .catch(() => undefined);
  }

  /** Runs the teardown once, however often it is asked for. */
  once(): Promise<void> {
    return (this.stopped ??= this.run());
  }
}
