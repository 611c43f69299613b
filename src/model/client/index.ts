/**
 * Clients with client-go semantics: REST client (rate limiter, 429 retries, timeouts) and
 * reflector-backed informers.
 */
export {
  type ApiClient,
  type ApiClientOptions,
  createApiClient,
  MAX_RETRIES,
  type WatchOpened,
} from './api-client.js';
export { BACKOFF_CAP, BACKOFF_INITIAL, BACKOFF_RESET, ExponentialBackoff } from './backoff.js';
export type { CreateInformer, Informer, InformerOptions } from './informer.js';
export {
  createInformer,
  createReflector,
  MIN_WATCH_TIMEOUT,
  PAGE_SIZE,
  type Reflector,
  type ReflectorOptions,
} from './reflector.js';
export { TokenBucket } from './token-bucket.js';
