/**
 * What the web server answers for the shell channels of the contract. A browser page cannot ask
 * the OS of the machine serving it to open folders, so opening is reported as not done and the
 * UI shows the path instead.
 */
export const webShell = {
  openPath(): Promise<{ opened: boolean }> {
    return Promise.resolve({ opened: false });
  },
};
