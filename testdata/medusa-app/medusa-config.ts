import { loadEnv, defineConfig } from "@medusajs/framework/utils"

// Loads .env (and .env.<NODE_ENV> for staging/production/test) from the project root.
// @medusajs/cli/cli.js has already run dotenv on .env too; neither overrides variables
// that are already set in the environment, so a supervisor's env always wins.
loadEnv(process.env.NODE_ENV || "development", process.cwd())

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
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
    // On unless FIXTURE_HMR=false. Note: MEDUSA_FF_BACKEND_HMR, when set at all, overrides this.
    backend_hmr: process.env.FIXTURE_HMR !== "false",
  },
  modules: [
    {
      resolve: "./src/modules/greeter",
    },
    {
      // data-model module: model.define + MedusaService, migration in src/modules/brand/migrations
      resolve: "./src/modules/brand",
    },
    {
      // a core module with a project provider: listed under options.providers, not in `modules`
      resolve: "@medusajs/medusa/fulfillment",
      options: {
        providers: [
          {
            resolve: "@medusajs/medusa/fulfillment-manual",
            id: "manual",
          },
          {
            resolve: "./src/modules/my-fulfillment",
            id: "my-fulfillment",
            options: {
              label: "Fixture",
            },
          },
        ],
      },
    },
  ],
})
