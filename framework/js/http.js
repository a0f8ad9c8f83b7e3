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

  // Medusa's zodValidator (packages/core/framework/src/zod/zod-helpers.ts), ported as is: the
  // schema is made strict when it can be, and at most three issues are worded as Medusa words
  // them, for zod 3 and zod 4 issues alike.
  // @medusajs/utils isObject.
  const isObj = (v) => v != null && v.constructor != null && v.constructor.name === "Object";
  const formatPath = (issue) => issue.path.join(", ");
  const isInvalidTypeIssue = (i) => isObj(i) && i.code === "invalid_type" && "expected" in i && Array.isArray(i.path);
  const isInvalidUnionIssue = (i) => isObj(i) && i.code === "invalid_union" && Array.isArray(i.errors);
  const isInvalidValueIssue = (i) => isObj(i) && i.code === "invalid_value" && Array.isArray(i.path);
  function getValueFromBody(issue, body) {
    if (!isObj(body)) return undefined;
    return issue.path.reduce((acc, curr) => (isObj(acc) ? acc[curr] : undefined), body);
  }
  function getReceivedValue(issue, body) {
    if ("input" in issue) return issue.input;
    if ("received" in issue) return issue.received;
    return getValueFromBody(issue, body);
  }
  function formatInvalidType(issues, body) {
    const valid = issues.filter(isInvalidTypeIssue);
    const expected = valid.map((i) => (body !== undefined && getValueFromBody(i, body) !== undefined ? i.expected : undefined)).filter(Boolean);
    if (!expected.length || !valid[0]) return undefined;
    const received = body !== undefined ? getValueFromBody(valid[0], body) : "unknown";
    return `Expected type: '${expected.join(", ")}' for field '${formatPath(valid[0])}', got: '${received}'`;
  }
  function formatRequiredField(issues, body) {
    const required = issues.filter((i) => i != null).find((i) => {
      if (isInvalidTypeIssue(i) || isInvalidValueIssue(i)) return (body !== undefined ? getValueFromBody(i, body) : undefined) === undefined;
      return false;
    });
    return required ? `Field '${formatPath(required)}' is required` : undefined;
  }
  function formatUnionError(issue, body) {
    if (!isInvalidUnionIssue(issue)) return isObj(issue) && "message" in issue ? String(issue.message) : undefined;
    const parentPath = issue.path || [];
    const issues = issue.errors
      .flatMap((e) => (Array.isArray(e) ? e : isObj(e) && "issues" in e ? e.issues : []))
      .filter((i) => isObj(i) && "path" in i)
      .map((i) => ({ ...i, path: [...parentPath, ...i.path] }));
    if (!issues.length) return issue.message;
    return formatInvalidType(issues, body) || formatRequiredField(issues, body) || issue.message;
  }
  function formatError(err, body) {
    return err.issues.slice(0, 3).map((issue) => {
      switch (issue.code) {
        case "invalid_type":
          return formatInvalidType([issue], body) || formatRequiredField([issue], body) || issue.message;
        case "invalid_value": {
          const received = getReceivedValue(issue, body);
          if (issue.values) {
            if (received === undefined) return `Field '${formatPath(issue)}' is required`;
            return `Expected: '${issue.values.join(", ")}' for field '${formatPath(issue)}', but got: '${received}'`;
          }
          if (received === undefined) return `Field '${formatPath(issue)}' is required`;
          return issue.message;
        }
        case "invalid_union":
          return formatUnionError(issue, body);
        case "unrecognized_keys":
          return `Unrecognized fields: '${issue.keys.join(", ")}'`;
        case "too_small":
          return `Value for field '${formatPath(issue)}' too small, expected at least: '${issue.minimum}'`;
        case "too_big":
          return `Value for field '${formatPath(issue)}' too big, expected at most: '${issue.maximum}'`;
        case "not_multiple_of":
          return `Value for field '${formatPath(issue)}' not multiple of: '${issue.divisor}'`;
        default:
          return issue.message;
      }
    }).join("; ");
  }
  // err instanceof ZodError (the project's zod, which Medusa's is), or an issues object.
  const isZodError = (err) => (err instanceof Error && err.name === "ZodError" && Array.isArray(err.issues)) || (isObj(err) && "issues" in err && Array.isArray(err.issues));

  async function zodValidator(schema, value) {
    if (!schema || typeof schema.parseAsync !== "function") {
      throw new MedusaError(MedusaError.Types.INVALID_ARGUMENT, "validateAndTransform*: the schema is not a zod schema");
    }
    let strict = schema;
    if ("strict" in schema) strict = schema.strict();
    try {
      return await strict.parseAsync(value);
    } catch (err) {
      if (isZodError(err)) throw new MedusaError(MedusaError.Types.INVALID_DATA, `Invalid request: ${formatError(err, value)}`);
      throw err;
    }
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

  // Medusa's normalizeQuery (validate-query.ts): a one-element array of a string is split on
  // commas, and "a.b" keys become { a: { b } } (deeper ones are refused).
  function normalizeQuery(query) {
    return Object.entries(query).reduce((acc, [key, val]) => {
      let value = val;
      if (Array.isArray(val) && val.length === 1 && typeof val[0] === "string") value = val[0].split(",");
      if (key.includes(".")) {
        const [parent, child, ...others] = key.split(".");
        if (others.length > 0) throw new MedusaError(MedusaError.Types.INVALID_ARGUMENT, `Key accessor more than 2 levels deep: ${key}`);
        acc[parent] = { ...(acc[parent] || {}), [child]: value };
      } else {
        acc[key] = value;
      }
      return acc;
    }, {});
  }

  // @medusajs/utils removeUndefinedProperties.
  function removeUndefined(input) {
    const deep = (v) => {
      if (v === undefined) return undefined;
      if (v === null || v === "null") return null;
      if (Array.isArray(v)) return v.map(deep).filter((x) => x !== undefined);
      if (isObj(v)) return removeUndefined(v);
      return v;
    };
    const out = {};
    for (const k of Object.keys(input)) if (input[k] !== undefined) out[k] = deep(input[k]);
    return out;
  }

  // Medusa's validateAndTransformQuery: the query normalized, validated strictly, then split
  // into validatedQuery (without with_deleted) and filterableFields (without the paging and
  // field keys). The query config (fields, pagination) follows Medusa's shape; its field
  // selection rules (allowed, restricted, relations) need the data layer and are simplified.
  function validateAndTransformQuery(zodSchema, queryConfig = {}) {
    return async function validateQuery(req, _res, next) {
      try {
        req.allowed = [];
        const validated = await zodValidator(zodSchema, normalizeQuery(req.query));
        const { fields, limit, offset, order } = validated || {};
        const { with_deleted, ...validatedQuery } = validated || {};
        const { limit: _l, offset: _o, fields: _f, order: _or, ...filters } = validatedQuery;
        req.validatedQuery = validatedQuery;
        req.filterableFields = removeUndefined(filters);
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
            // The config manager's fallbacks: JWT_SECRET, then "supersecret".
            const verified = JSON.parse(host.verifyJWT(m[2], secret || process.env.JWT_SECRET || "supersecret"));
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
