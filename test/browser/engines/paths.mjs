// Where the Debian packages put each browser (overridable for other layouts), and which packages provide
// them: the launchers and scripts/ensure-browsers.mjs read both from here.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver'
export const MINIBROWSER_PATH =
  process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser'
export const XVFB_RUN_PATH = '/usr/bin/xvfb-run'

/** Per engine: each file it needs and the Debian package that installs it. */
export const ENGINE_FILES = {
  chromium: [[CHROMIUM_PATH, 'chromium']],
  firefox: [[FIREFOX_PATH, 'firefox-esr']],
  webkit: [
    [WEBKIT_DRIVER_PATH, 'webkit2gtk-driver'],
    // webkit2gtk-driver depends on libwebkit2gtk-4.1-0, which ships MiniBrowser
    [MINIBROWSER_PATH, 'webkit2gtk-driver'],
    [XVFB_RUN_PATH, 'xvfb'],
  ],
}
