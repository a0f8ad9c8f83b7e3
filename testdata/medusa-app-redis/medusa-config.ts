import { loadEnv, defineConfig } from "@medusajs/framework/utils"

// testdata/medusa-app with Medusa's Redis modules (event bus on BullMQ, workflow engine, locking,
// caching), as a production deployment with a server and workers configures them. medusa-ls's
// tests copy it over the fixture's medusa-config.ts (internal/medusafixture.ForRedisTest).
// FIXTURE_REDIS_PREFIX keeps each test's queues, locks and cache keys apart on a shared Redis.
loadEnv(process.env.NODE_ENV || "development", process.cwd())

const redisUrl = process.env.REDIS_URL
const prefix = process.env.FIXTURE_REDIS_PREFIX || "medusa-ls-fixture"
// FIXTURE_REDIS_MODULES lists the Redis modules to configure (default: all of them).
const redisModules = (process.env.FIXTURE_REDIS_MODULES || "event-bus,workflow-engine,locking,caching").split(",")
const withRedis = (name: string, module: any) => (redisModules.includes(name) ? [module] : [])

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    redisUrl,
    http: {
      storeCors: process.env.STORE_CORS!,
      adminCors: process.env.ADMIN_CORS!,
      authCors: process.env.AUTH_CORS!,
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: {
    disable: true,
  },
  featureFlags: {
    backend_hmr: process.env.FIXTURE_HMR !== "false",
  },
  modules: [
    { resolve: "./src/modules/greeter" },
    { resolve: "./src/modules/brand" },
    {
      resolve: "@medusajs/medusa/fulfillment",
      options: {
        providers: [
          { resolve: "@medusajs/medusa/fulfillment-manual", id: "manual" },
          { resolve: "./src/modules/my-fulfillment", id: "my-fulfillment", options: { label: "Fixture" } },
        ],
      },
    },
    ...withRedis("event-bus", {
      resolve: "@medusajs/medusa/event-bus-redis",
      options: {
        redisUrl,
        queueName: `${prefix}-events`,
      },
    }),
    ...withRedis("workflow-engine", {
      resolve: "@medusajs/medusa/workflow-engine-redis",
      options: {
        redis: {
          redisUrl,
          queueName: `${prefix}-workflows`,
          jobQueueName: `${prefix}-workflow-jobs`,
        },
      },
    }),
    ...withRedis("locking", {
      resolve: "@medusajs/medusa/locking",
      options: {
        providers: [
          {
            resolve: "@medusajs/medusa/locking-redis",
            id: "locking-redis",
            is_default: true,
            options: { redisUrl, namespace: `${prefix}:lock:` },
          },
        ],
      },
    }),
    ...withRedis("caching", {
      resolve: "@medusajs/medusa/caching",
      options: {
        providers: [
          {
            resolve: "@medusajs/medusa/caching-redis",
            id: "caching-redis",
            is_default: true,
            options: { redisUrl, prefix: `${prefix}:cache:` },
          },
        ],
      },
    }),
  ],
})
