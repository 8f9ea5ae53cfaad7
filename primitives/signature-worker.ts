// Worker side of SignatureVerifier: verifies one chunk per message and answers with the chunk's id.
import { parentPort } from "node:worker_threads";
import { type SignedMessage, verifyFast } from "./keys.ts";

export interface VerifyRequest {
  readonly id: number;
  readonly items: readonly SignedMessage[];
}

export interface VerifyResponse {
  readonly id: number;
  readonly results: boolean[];
}

parentPort?.on("message", (request: VerifyRequest) => {
  const results = request.items.map((item) =>
    verifyFast(item.signature, item.message, item.publicKey),
  );
  const response: VerifyResponse = { id: request.id, results };
  parentPort?.postMessage(response);
});
