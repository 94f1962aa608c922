export { createDeliveryQueue, DELIVERY_QUEUE } from './queue.js';
export type { DeliveryQueue, DeliveryQueueOptions, EnqueueOptions } from './queue.js';
export { createMemoryLimiter, createRedisLimiter, rulesFor, limitsOf } from './limiter.js';
export type { RateLimiter, RateRule, ChannelLimits, Acquired } from './limiter.js';
