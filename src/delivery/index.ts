export { createDeliveryQueue, DELIVERY_QUEUE } from './queue.js';
export type { DeliveryQueue, DeliveryQueueOptions, EnqueueOptions } from './queue.js';
export { createMemoryLimiter, createRedisLimiter, rulesFor, DEFAULT_LIMITS } from './limiter.js';
export type { RateLimiter, RateRule, ChannelLimits, Acquired } from './limiter.js';
