// The network layer's one error type. Codes are stable: the node and tests match on them.
import { LineageError } from "../../primitives/errors.ts";

/**
 * Codes: NOT_CONNECTED (no handshaken connection to the peer), TIMEOUT, REFUSED (the peer declined
 * the request; `refusal` says why), BAD_RESPONSE (a response that breaks the protocol),
 * MESSAGE_TOO_LARGE, INVALID_OPTION, INVALID_MULTIADDR, STOPPED, PORT_IN_USE (a listen address another
 * process holds), LISTEN_FAILED (a listen address that cannot be bound).
 */
export class NetworkError extends LineageError {}
