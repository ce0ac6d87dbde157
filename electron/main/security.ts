import { app, shell, type Session, type WebContents } from 'electron';

/**
 * Lock-down that applies to every web contents: no navigation away from the app page, no new
 * windows (https links open in the system browser), no webviews, no permission prompts.
 */
export function hardenApp(appPageUrl: () => string): void {
  app.on('web-contents-created', (_e, contents: WebContents) => {
    contents.on('will-navigate', (e, url) => {
      // Hash changes are not navigations; anything else (a dropped file, a link) is refused.
      if (url.split('#')[0] !== appPageUrl()) e.preventDefault();
    });
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

/** Denies every permission request (camera, notifications, …): the lab needs none. */
export function lockSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
