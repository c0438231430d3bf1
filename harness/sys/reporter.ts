/**
 * Where the model tells what it does: each harness operation as a step, its evidence as
 * attachments. The model knows nothing of any report format; `harness/testing` plugs in
 * the Allure one, the CLI none.
 */
export interface Reporter {
  step<T>(name: string, body: () => Promise<T>): Promise<T>;
  attach(name: string, content: string | Uint8Array, contentType: string): Promise<void>;
}

export const silentReporter: Reporter = {
  step: (_name, body) => body(),
  attach: async () => undefined,
};
