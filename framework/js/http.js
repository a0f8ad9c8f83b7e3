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

  function authenticate(actorType, authType) {
    return function authenticateMiddleware(_req, _res, next) {
      const e = new Error(`authenticate(${JSON.stringify(actorType)}, ${JSON.stringify(authType)}) needs Medusa's auth module, which the embedded runtime does not provide; run medusa-ls with --runtime node for authenticated routes`);
      e.name = "UnsupportedError";
      next(e);
    };
  }

  return { defineMiddlewares, validateAndTransformBody, validateAndTransformQuery, authenticate, zodValidator };
})
