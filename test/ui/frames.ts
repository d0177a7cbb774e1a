// Finding Tandem's webview among the workbench's frames (shared by the workbench UI tests).
import type { Frame, Page } from 'playwright-core';

/** The first frame that has `selector`, waiting up to `timeoutMs`. */
export async function findFrame(page: Page, selector: string, timeoutMs = 30000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      try {
        if (await f.$(selector)) return f;
      } catch {
        // the frame was detached while we looked
      }
    }
    await page.waitForTimeout(200); // a poll interval between looks (frames come and go), not a guess at timing
  }
  throw new Error(`no frame has ${selector}`);
}
