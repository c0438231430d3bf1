import * as allure from 'allure-js-commons';
import type { Reporter } from '../sys/reporter.ts';

/** Steps and attachments into the Allure results of the test that is running. */
export const allureReporter: Reporter = {
  step: (name, body) => Promise.resolve(allure.step(name, () => body())),
  attach: async (name, content, contentType) => {
    await allure.attachment(name, typeof content === 'string' ? content : Buffer.from(content), contentType);
  },
};
