// @medusajs/framework/http: what route and middleware files import at run time. The request
// types (MedusaRequest, MedusaResponse, …) are TypeScript types and vanish at compile time.
(function (host, utils) {
  "use strict";
  const { MedusaError } = utils;

  function defineMiddlewares(config) {
    const routes = Array.isArray(config) ? config : (config && config.routes) || [];
    const errorHandler = Array.isArray(config) ? undefined : config && config.errorHandler;
    return {
      errorHandler,
      routes: routes.map((route) => {
        let { middlewares, method, methods, ...rest } = route;
        if (!methods) methods = Array.isArray(method) ? method : method ? [method] : method;
        return { ...rest, methods, middlewares: [...(middlewares ?? [])] };
      }),
    };
  }

  // Zod issue formatting as Medusa's zod helper words it.
  function formatIssue(issue) {
    const path = (issue.path || []).join(", ");
    switch (issue.code) {
      case "invalid_type":
        if (issue.received === "undefined") return `Field '${path}' is required`;
        return `Expected type: '${issue.expected}' for field '${path}', got: '${issue.received}'`;
      case "unrecognized_keys":
        return `Unrecognized fields: '${(issue.keys || []).join(", ")}'`;
      case "invalid_enum_value":
        return `Expected: '${(issue.options || []).join(", ")}' for field '${path}', but got: '${issue.received}'`;
      default:
        return path ? `${issue.message} for field '${path}'` : issue.message;
    }
  }

  async function zodValidator(schema, value) {
    if (!schema || typeof schema.safeParseAsync !== "function") {
      throw new MedusaError(MedusaError.Types.INVALID_ARGUMENT, "validateAndTransform*: the schema is not a zod schema");
    }
    const result = await schema.safeParseAsync(value);
    if (result.success) return result.data;
    const issues = result.error.issues || result.error.errors || [];
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `Invalid request: ${issues.map(formatIssue).join("; ")}`);
  }

  function validateAndTransformBody(zodSchema) {
    return async function validateBody(req, _res, next) {
      try {
        const schema = typeof zodSchema === "function" ? zodSchema(req.additionalDataValidator) : zodSchema;
        req.validatedBody = await zodValidator(schema, req.body);
        next();
      } catch (e) {
        next(e);
      }
    };
  }

  function validateAndTransformQuery(zodSchema, queryConfig = {}) {
    return async function validateQuery(req, _res, next) {
      try {
        const query = await zodValidator(zodSchema, req.query);
        const { fields, limit, offset, order, with_deleted, ...filters } = query || {};
        req.validatedQuery = query;
        req.filterableFields = filters;
        const take = limit ?? queryConfig.defaultLimit;
        const selected = typeof fields === "string" && fields ? fields.split(",") : queryConfig.defaults || [];
        req.queryConfig = {
          fields: selected,
          pagination: { skip: offset ?? 0, take, order: order ? parseOrder(order) : undefined },
          withDeleted: with_deleted,
        };
        req.listConfig = { select: selected, skip: offset ?? 0, take, order: req.queryConfig.pagination.order };
        req.retrieveConfig = { select: selected };
        req.remoteQueryConfig = req.queryConfig;
        next();
      } catch (e) {
        next(e);
      }
    };
  }

  function parseOrder(order) {
    const out = {};
    for (const part of String(order).split(",")) {
      if (!part) continue;
      if (part.startsWith("-")) out[part.slice(1)] = "DESC";
      else out[part] = "ASC";
    }
    return out;
  }

  // Medusa's authenticate (packages/core/framework/src/http/middlewares/authenticate-middleware.ts):
  // a bearer JWT signed with projectConfig.http.jwtSecret whose actor_type is allowed fills
  // req.auth_context; otherwise 401 {"message":"Unauthorized"}, unless allowUnauthenticated.
  // The embedded runtime has no sessions and no secret API keys (they need the auth and
  // api-key modules); medusa-ls prints development tokens at start instead.
  function authenticate(actorType, authType, options = {}) {
    return async function authenticateMiddleware(req, res, next) {
      const authTypes = Array.isArray(authType) ? authType : [authType];
      const actorTypes = Array.isArray(actorType) ? actorType : [actorType];
      const permitted = (t) => actorTypes.includes("*") || actorTypes.includes(t);
      let authContext = null;
      if (authTypes.includes("bearer") && req.headers.authorization) {
        const m = /(\S+)\s+(\S+)/.exec(req.headers.authorization);
        if (m && m[1].toLowerCase() === "bearer") {
          let secret;
          try {
            const config = req.scope.resolve("configModule");
            secret = config && config.projectConfig && config.projectConfig.http && config.projectConfig.http.jwtSecret;
          } catch {}
          try {
            const verified = JSON.parse(host.verifyJWT(m[2], secret || "supersecret"));
            if (permitted(verified.actor_type)) authContext = verified;
          } catch {
            authContext = null;
          }
        }
      }
      if (authContext && authContext.actor_id) {
        req.auth_context = authContext;
        return next();
      }
      if (authContext && authContext.auth_identity_id && options.allowUnregistered && permitted(authContext.actor_type)) {
        req.auth_context = authContext;
        return next();
      }
      if (options.allowUnauthenticated) return next();
      const actorIsUser = actorTypes.length === 1 && actorTypes[0] === "user";
      const bearerSecret = (() => {
        const [type, token] = String(req.headers.authorization || "").split(" ");
        return !!type && type.toLowerCase() === "bearer" && !!token && token.startsWith("sk_");
      })();
      if (authTypes.includes("api-key") && actorIsUser && bearerSecret) {
        res.status(401).json({ message: "A secret API key was passed as a Bearer token. Secret API keys must be sent using HTTP Basic authentication instead (Authorization: Basic <secret-api-key>)." });
        return;
      }
      res.status(401).json({ message: "Unauthorized" });
    };
  }

  return { defineMiddlewares, validateAndTransformBody, validateAndTransformQuery, authenticate, zodValidator };
})
