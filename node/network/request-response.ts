// One request, one response, over a fresh libp2p stream: each side writes a single
// length-prefixed frame (unsigned varint length, then the bytes) and the requester closes. Both
// directions are bounded twice: by a frame size limit checked before anything is buffered, and
// by a deadline after which the stream is aborted.
import type { Connection, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { NetworkError } from "./errors.ts";

export interface ExchangeLimits {
  /** Largest frame accepted from the other side. */
  readonly maxFrameBytes: number;
  readonly timeoutMs: number;
}

function framed(stream: Stream, maxFrameBytes: number) {
  // The byte stream's own buffer must hold one whole frame plus its length prefix.
  return lpStream(stream, { maxDataLength: maxFrameBytes, maxBufferSize: maxFrameBytes + 16 });
}

function deadline(timeoutMs: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return outer ? AbortSignal.any([timeout, outer]) : timeout;
}

/** Opens `protocol` on the connection, sends `request`, and returns the response frame. */
export async function exchange(
  connection: Connection,
  protocol: string,
  request: Uint8Array,
  limits: ExchangeLimits,
  outer?: AbortSignal,
): Promise<Uint8Array> {
  const signal = deadline(limits.timeoutMs, outer);
  let stream: Stream | undefined;
  try {
    stream = await connection.newStream(protocol, { signal });
    const lp = framed(stream, limits.maxFrameBytes);
    await lp.write(request, { signal });
    const response = await lp.read({ signal });
    await stream.close({ signal });
    return response.subarray();
  } catch (cause) {
    const error =
      signal.aborted && !outer?.aborted
        ? new NetworkError("TIMEOUT", `${protocol}: no response within ${limits.timeoutMs} ms`, {
            cause,
          })
        : cause instanceof NetworkError
          ? cause
          : new NetworkError("BAD_RESPONSE", `${protocol}: ${describe(cause)}`, { cause });
    stream?.abort(error);
    throw error;
  }
}

/**
 * Serves one inbound request: reads the request frame, lets `respond` turn it into the response
 * frame, writes that, and closes. Any failure (including the deadline) aborts the stream.
 */
export async function serve(
  stream: Stream,
  limits: ExchangeLimits,
  respond: (request: Uint8Array) => Promise<Uint8Array> | Uint8Array,
  outer?: AbortSignal,
): Promise<void> {
  const signal = deadline(limits.timeoutMs, outer);
  try {
    const lp = framed(stream, limits.maxFrameBytes);
    const request = await lp.read({ signal });
    const response = await respond(request.subarray());
    await lp.write(response, { signal });
    await stream.close({ signal });
  } catch (cause) {
    stream.abort(cause instanceof Error ? cause : new Error(String(cause)));
    throw cause;
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
