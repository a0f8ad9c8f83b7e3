// @medusajs/framework/utils as far as the embedded runtime supports it. Shapes and values follow
// Medusa 2.x (packages/core/utils). `host` carries Go bindings.
(function (host) {
  "use strict";

  const MedusaErrorTypes = {
    DB_ERROR: "database_error",
    DUPLICATE_ERROR: "duplicate_error",
    INVALID_ARGUMENT: "invalid_argument",
    INVALID_DATA: "invalid_data",
    UNAUTHORIZED: "unauthorized",
    NOT_FOUND: "not_found",
    NOT_ALLOWED: "not_allowed",
    UNEXPECTED_STATE: "unexpected_state",
    CONFLICT: "conflict",
    UNKNOWN_MODULES: "unknown_modules",
    PAYMENT_AUTHORIZATION_ERROR: "payment_authorization_error",
    PAYMENT_REQUIRES_MORE_ERROR: "payment_requires_more_error",
    FORBIDDEN: "forbidden",
  };
  const MedusaErrorCodes = {
    INSUFFICIENT_INVENTORY: "insufficient_inventory",
    CART_INCOMPATIBLE_STATE: "cart_incompatible_state",
    UNKNOWN_MODULES: "unknown_modules",
  };

  class MedusaError extends Error {
    constructor(type, message, code, ...params) {
      super(...params);
      this.__isMedusaError = true;
      // Medusa's sets no name: it is "Error" (String(e) is "Error: …")
      if (Error.captureStackTrace) Error.captureStackTrace(this, MedusaError);
      this.type = type;
      this.code = code;
      this.message = message;
      this.date = new Date();
    }
    static isMedusaError(error) { return !!(error && error.__isMedusaError); }
  }
  MedusaError.Types = MedusaErrorTypes;
  MedusaError.Codes = MedusaErrorCodes;

  const Modules = {
    ANALYTICS: "analytics", AUTH: "auth", CACHE: "cache", CART: "cart", CUSTOMER: "customer",
    EVENT_BUS: "event_bus", INVENTORY: "inventory", LINK: "link_modules", PAYMENT: "payment",
    PRICING: "pricing", PRODUCT: "product", PROMOTION: "promotion", SALES_CHANNEL: "sales_channel",
    TAX: "tax", FULFILLMENT: "fulfillment", STOCK_LOCATION: "stock_location", USER: "user",
    WORKFLOW_ENGINE: "workflows", REGION: "region", ORDER: "order", API_KEY: "api_key", STORE: "store",
    CURRENCY: "currency", FILE: "file", NOTIFICATION: "notification", INDEX: "index", LOCKING: "locking",
    SETTINGS: "settings", CACHING: "caching", TRANSLATION: "translation", RBAC: "rbac",
  };
  const ContainerRegistrationKeys = {
    PG_CONNECTION: "__pg_connection__",
    MANAGER: "manager",
    CONFIG_MODULE: "configModule",
    LOGGER: "logger",
    REMOTE_QUERY: "remoteQuery",
    QUERY: "query",
    REMOTE_LINK: "remoteLink",
    LINK: "link",
    FEATURE_FLAG_ROUTER: "featureFlagRouter",
  };

  const DEFAULT_SECRET = "supersecret";
  function defineConfig(config = {}) {
    const projectConfig = { ...(config.projectConfig || {}) };
    // Medusa's defineConfig: the secrets from the environment (the default outside production)
    // and the fields /store routes restrict (DEFAULT_STORE_RESTRICTED_FIELDS).
    const envSecret = (v) => v || (["production", "prod"].includes(process.env.NODE_ENV || "") ? undefined : DEFAULT_SECRET);
    projectConfig.http = {
      jwtSecret: envSecret(process.env.JWT_SECRET),
      cookieSecret: envSecret(process.env.COOKIE_SECRET),
      authCors: "",
      storeCors: "",
      adminCors: "",
      restrictedFields: { store: ["order", "orders"] },
      ...(projectConfig.http || {}),
    };
    if (projectConfig.workerMode === undefined) projectConfig.workerMode = "shared";
    let modules = config.modules || [];
    if (!Array.isArray(modules)) {
      modules = Object.entries(modules).map(([key, def]) =>
        def === false || def === true ? { key, disable: !def } : { key, ...(typeof def === "string" ? { resolve: def } : def) });
    }
    return {
      ...config,
      projectConfig,
      admin: { disable: false, ...(config.admin || {}) },
      modules,
      plugins: config.plugins || [],
      featureFlags: config.featureFlags || {},
    };
  }

  function loadEnv(environment, envDir) {
    host.loadEnv(String(environment ?? ""), String(envDir ?? ""));
  }

  const promiseAll = async (promises, { aggregateErrors = false } = {}) => {
    if (!promises.length) return [];
    const states = await Promise.allSettled(promises);
    const rejected = states.filter((s) => s.status === "rejected");
    if (rejected.length) {
      if (aggregateErrors) {
        throw new Error(rejected.map((r) => r.reason?.message ?? String(r.reason)).join("\n"));
      }
      throw rejected[0].reason;
    }
    return states.map((s) => s.value);
  };

  const isDefined = (v) => v !== undefined;
  const isPresent = (v) => v !== undefined && v !== null && (typeof v !== "string" || v.length > 0) &&
    (!Array.isArray(v) || v.length > 0) && (typeof v !== "object" || Array.isArray(v) || Object.keys(v).length > 0);
  const isString = (v) => typeof v === "string" || v instanceof String;
  const isObject = (v) => v != null && (v.constructor?.name === "Object" || typeof v === "object");
  const isBoolean = (v) => typeof v === "boolean";
  const isTruthy = (v) => (isString(v) ? v.toLowerCase() === "true" : !!v);
  const upperCaseFirst = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);
  const lowerCaseFirst = (s) => (s ? s.charAt(0).toLowerCase() + s.slice(1) : s);
  const kebabCase = (s) => String(s).replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/[\s_]+/g, "-").toLowerCase();
  const toCamelCase = (s) => String(s).replace(/[-_\s]+(.)?/g, (_, c) => (c ? c.toUpperCase() : ""));
  const toPascalCase = (s) => upperCaseFirst(toCamelCase(s));
  const snakeCase = (s) => String(s).replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[\s-]+/g, "_").toLowerCase();
  const deepCopy = (v) => structuredClone(v);
  const arrayDifference = (a, b) => a.filter((x) => !b.includes(x));
  const pickValueFromObject = (path, obj) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);

  // ULID: 48-bit time + 80 random bits, Crockford base32, as Medusa's generateEntityId uses.
  const B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  function ulid() {
    let t = Date.now(), time = "";
    for (let i = 0; i < 10; i++) { time = B32[t % 32] + time; t = Math.floor(t / 32); }
    const bytes = host.randomBytes(16);
    let rand = "";
    for (let i = 0; i < 16; i++) rand += B32[bytes[i] % 32];
    return time + rand;
  }
  const generateEntityId = (idProperty, prefix) => idProperty || (prefix ? `${prefix}_${ulid()}` : ulid());

  // Module("name", { service, loaders }): the definition a module's index file exports.
  function Module(serviceName, { service, loaders = [], ...rest } = {}) {
    if (!serviceName || typeof serviceName !== "string") throw new Error("Module(name, { service }): the module needs a name");
    if (typeof service !== "function") throw new Error(`Module("${serviceName}"): service must be a class (the module's main service)`);
    return { __medusaModule: serviceName, service, loaders, linkable: {}, ...rest };
  }

  function defineFileConfig(config = {}) { return config; }
  const isFileDisabled = () => false;

  // Everything below needs Medusa's data layer or module loader, which the embedded runtime does
  // not have. Calling it throws an UnsupportedError that says so.
  const dataLayer = (name) => function () {
    const e = new Error(`${name} needs Medusa's data layer, which the embedded runtime does not provide; run medusa-ls with --runtime node for this project`);
    e.name = "UnsupportedError";
    throw e;
  };
  const model = new Proxy({}, { get: (_, prop) => (typeof prop === "symbol" ? undefined : dataLayer(`model.${String(prop)}()`)) });

  return {
    MedusaError, MedusaErrorTypes, MedusaErrorCodes, Modules, ModuleRegistrationName: Modules,
    ContainerRegistrationKeys, defineConfig, loadEnv, promiseAll, isDefined, isPresent, isString,
    isObject, isBoolean, isTruthy, upperCaseFirst, lowerCaseFirst, kebabCase, toCamelCase, toPascalCase,
    snakeCase, camelToSnakeCase: snakeCase, deepCopy, arrayDifference, pickValueFromObject, generateEntityId, ulid,
    defineFileConfig, isFileDisabled, Module,
    MedusaService: dataLayer("MedusaService()"), model, defineLink: dataLayer("defineLink()"),
    ModuleProvider: dataLayer("ModuleProvider()"), MikroOrmBaseRepository: dataLayer("MikroOrmBaseRepository"),
    InjectManager: dataLayer("@InjectManager()"), InjectTransactionManager: dataLayer("@InjectTransactionManager()"),
    MedusaContext: dataLayer("@MedusaContext()"),
  };
})
