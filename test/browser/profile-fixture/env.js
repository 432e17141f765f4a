// env.sleep(ms): resolves to ms after a real timer.
export const sleep = (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms))
