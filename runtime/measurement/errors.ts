import { LineageError } from "../../primitives/errors.ts";

/**
 * A measurement that cannot be made: codes are MEASUREMENT_FORMAT (a data file is not what its
 * format says), MEASUREMENT_PARAMS (a method's parameters do not decode or are out of range),
 * MEASUREMENT_INPUT (the inputs do not fit together: dimensions, empty sets, unknown method) and
 * MEASUREMENT_REPORT (a report document that does not parse or does not add up).
 */
export class MeasurementError extends LineageError {}
