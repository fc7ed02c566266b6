/**
 * 接警登记 gives a hand-logged call an idempotency key made here, not a number any source issued: it keeps a
 * retried submit to one incident, and means nothing to the people reading the incident.
 */
export const INTAKE_KEY_PREFIX = 'desk-';

export function newIntakeKey(uuid: string): string {
  return `${INTAKE_KEY_PREFIX}${uuid}`;
}

/** False for the keys 接警登记 made: only a source's own number (12345 工单号, 110 警情号) is worth showing. */
export function isSourceNumber(sourceRef: string): boolean {
  return !sourceRef.startsWith(INTAKE_KEY_PREFIX);
}
