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

  // The query config rules of Medusa 2.21 (packages/core/framework/src/http/utils/
  // field-filtering, get-query-config.ts, relations-limit.ts), ported as they are: they need
  // no data layer. Only the RBAC field filter (feature flag rbac_filter_fields, policies) is
  // left out: it queries the roles.
  const isDefined = (v) => v !== undefined;
  function isPresent(value) {
    if (!isDefined(value) || value === null) return false;
    if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
    if (value instanceof Map || value instanceof Set) return value.size > 0;
    if (isObj(value)) return Object.keys(value).length > 0;
    return true;
  }
  // FieldParser: "+f" or " f" adds to the defaults, "-f" removes (with what is under it), any
  // field without a modifier replaces the defaults, "*rel" and "rel.*" select a whole relation.
  const FieldParser = {
    parse(fields, defaults = []) {
      const starFields = new Set();
      let allFields = new Set(defaults);
      if (isDefined(fields)) {
        const customFields = fields.split(",").filter(Boolean);
        if (this.shouldReplaceDefaults(customFields)) {
          allFields = new Set(customFields.map((f) => this.stripModifier(f)));
        } else {
          this.applyFieldModifiers(customFields, allFields);
        }
        allFields.add("id");
      }
      this.extractStarFields(allFields, starFields);
      return { fields: allFields, starFields };
    },
    stripModifier: (field) => field.replace(/^[+ \t-]+/, "").trim(),
    shouldReplaceDefaults: (customFields) => !customFields.length ||
      customFields.some((f) => !(f.startsWith("-") || f.startsWith("+") || f.startsWith(" ") || f.startsWith("*") || f.endsWith(".*"))),
    applyFieldModifiers(customFields, allFields) {
      customFields.forEach((field) => {
        if (field.startsWith("+") || field.startsWith(" ")) {
          allFields.add(this.stripModifier(field));
        } else if (field.startsWith("-")) {
          const fieldName = this.stripModifier(field);
          for (const reqField of allFields) {
            const reqFieldName = reqField.replace(/^\*/, "");
            if (reqFieldName === fieldName || reqFieldName.startsWith(fieldName + ".")) allFields.delete(reqField);
          }
        } else {
          allFields.add(field);
        }
      });
    },
    extractStarFields(allFields, starFields) {
      allFields.forEach((field) => {
        if (field.startsWith("*") || field.endsWith(".*")) {
          starFields.add(field.replace(/(^\*|\.\*$)/, ""));
          allFields.delete(field);
        }
      });
    },
  };
  const fieldsToCheck = ({ fields, starFields }) => [...fields, ...Array.from(starFields)];
  // A field is allowed only when its whole path is listed.
  const allowedFilter = (allowed) => {
    const set = new Set(allowed);
    return (parsed) => fieldsToCheck(parsed).filter((f) => !set.has(f));
  };
  // A field is restricted when any of its segments is.
  const restrictedFilter = (restricted) => (parsed) =>
    fieldsToCheck(parsed).filter((f) => restricted.some((r) => f.split(".").includes(r)));
  // Disallowed: strings match a segment (NFKC, trimmed, lower case), RegExps a segment or the
  // whole path, without g and y so that matching keeps no state.
  function disallowedFilter(disallowed) {
    const normalize = (v) => v.normalize("NFKC").trim().toLowerCase();
    const segments = new Set(disallowed.filter((f) => typeof f === "string").map(normalize));
    const patterns = disallowed.filter((f) => f instanceof RegExp).map((p) => {
      const flags = p.flags.replace(/[gy]/g, "");
      return flags === p.flags ? p : new RegExp(p.source, flags);
    });
    const badSegment = (s) => segments.has(s) || patterns.some((p) => p.test(s));
    const bad = (field) => {
      const n = normalize(field);
      if (patterns.some((p) => p.test(n))) return true;
      return n.split(".").some((s) => badSegment(normalize(s)));
    };
    return (parsed) => fieldsToCheck(parsed).filter(bad);
  }
  // @medusajs/utils stringToSelectRelationObject.
  function stringToSelectRelationObject(fields) {
    const select = new Set();
    const relations = new Set();
    for (const field of fields) {
      select.add(field);
      if (!field.includes(".")) continue;
      const segments = field.split(".");
      segments.pop();
      relations.add(segments.join("."));
    }
    return { select: Array.from(select), relations: Array.from(relations) };
  }
  // @medusajs/utils buildOrder: "a.b.c" keys nest; prototype keys are skipped.
  const UNSAFE_ORDER_KEYS = new Set(["__proto__", "constructor", "prototype"]);
  function buildOrder(orderBy) {
    const output = {};
    for (const order of Object.keys(orderBy)) {
      const nested = order.split(".");
      if (nested.some((s) => UNSAFE_ORDER_KEYS.has(s))) continue;
      if (nested.length > 1) {
        let parent = output;
        while (nested.length > 1) {
          const rel = nested.shift();
          if (!Object.prototype.hasOwnProperty.call(parent, rel)) parent[rel] = {};
          parent = parent[rel];
        }
        parent[nested[0]] = orderBy[order];
        continue;
      }
      output[order] = orderBy[order];
    }
    return output;
  }
  function prepareListQuery(validated, queryConfig = {}) {
    const { allowed = [], restricted = [], disallowed = [], defaults = [], defaultLimit = 50, isList, entity } = queryConfig;
    const { order, fields, limit = defaultLimit, offset = 0, with_deleted } = validated;
    const parsed = FieldParser.parse(fields, defaults);
    const { fields: allFields, starFields } = parsed;
    const drop = (field) => {
      allFields.delete(field);
      starFields.delete(field);
    };
    let notAllowed = [];
    if (allowed.length) notAllowed = allowedFilter(allowed)(parsed);
    else if (restricted.length) notAllowed = restrictedFilter(restricted)(parsed);
    [...new Set(notAllowed)].forEach(drop);
    if (disallowed.length) disallowedFilter(disallowed)(parsed).forEach(drop);
    const { select, relations } = stringToSelectRelationObject(Array.from(allFields));
    const allRelations = new Set([...relations, ...Array.from(starFields)]);
    let orderBy = {};
    if (isDefined(order)) {
      let orderField = order;
      if (order.startsWith("-")) {
        orderField = order.slice(1);
        orderBy = { [orderField]: "DESC" };
      } else {
        orderBy = { [order]: "ASC" };
      }
      if (allowed.length && !allowed.includes(orderField)) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `Order field ${orderField} is not valid`);
      }
    }
    const finalOrder = isPresent(orderBy) ? buildOrder(orderBy) : undefined;
    return {
      listConfig: { select: select.length ? select : undefined, relations: Array.from(allRelations), skip: offset, take: limit, order: finalOrder, withDeleted: with_deleted },
      remoteQueryConfig: {
        ...(entity ? { entity } : {}),
        fields: [...Array.from(allFields), ...Array.from(starFields).map((f) => `${f}.*`)],
        pagination: isList ? { skip: offset, take: limit, order: finalOrder } : {},
        withDeleted: with_deleted,
      },
    };
  }
  function prepareRetrieveQuery(validated, queryConfig) {
    const { listConfig, remoteQueryConfig } = prepareListQuery(validated, queryConfig);
    return {
      retrieveConfig: { select: listConfig.select, relations: listConfig.relations },
      remoteQueryConfig: { fields: remoteQueryConfig.fields, pagination: {}, withDeleted: remoteQueryConfig.withDeleted },
    };
  }
  // relations-limit.ts: how deep a field reaches ("a.b.c" is 2 relations, "a.b.*" is 2).
  function getRelationsDepth(field) {
    const isStar = field.startsWith("*") || field.endsWith(".*");
    const segments = field.replace(/(^\*|\.\*$)/, "").split(".").length;
    return isStar ? segments : segments - 1;
  }
  function validateRelationsLimit(fields, limit) {
    const invalid = fields.filter((f) => getRelationsDepth(f) > limit);
    if (!invalid.length) return;
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `The following fields expand more than the maximum of ${limit} allowed relations: ${invalid.join(", ")}`);
  }

  // Medusa's validateAndTransformQuery (validate-query.ts): the allowed fields of the config
  // plus those a middleware put in req.allowed (then cleared), the restricted fields and the
  // relations limit the core layers set for /store, the query normalized and validated
  // strictly, then the list or retrieve config built from it.
  const consumedAllowedFields = new WeakMap();
  function validateAndTransformQuery(zodSchema, queryConfig = {}) {
    return async function validateQuery(req, _res, next) {
      try {
        const restricted = req.restrictedFields?.list();
        const allowed = [...(queryConfig.allowed ?? [])];
        const customAllowed = req.allowed.length ? req.allowed : consumedAllowedFields.get(req);
        if (customAllowed?.length) {
          allowed.push(...customAllowed);
          consumedAllowedFields.set(req, customAllowed);
        }
        req.allowed = [];
        const disallowed = req.disallowed ?? queryConfig.disallowed ?? [];
        delete req.disallowed;
        const validated = await zodValidator(zodSchema, normalizeQuery(req.query));
        const cnf = queryConfig.isList
          ? prepareListQuery(validated, { ...queryConfig, allowed, disallowed, restricted, isList: true })
          : prepareRetrieveQuery(validated, { ...queryConfig, allowed, disallowed, restricted });
        if (isDefined(req.storeRelationsLimit)) {
          validateRelationsLimit(cnf.remoteQueryConfig.fields, queryConfig.storeRelationsLimit ?? req.storeRelationsLimit);
        }
        const { with_deleted, ...validatedQuery } = validated;
        req.validatedQuery = validatedQuery;
        const { limit: _l, offset: _o, fields: _f, order: _or, ...filters } = validatedQuery;
        req.filterableFields = removeUndefined(filters);
        req.queryConfig = cnf.remoteQueryConfig;
        req.remoteQueryConfig = req.queryConfig;
        req.listConfig = cnf.listConfig;
        req.retrieveConfig = cnf.retrieveConfig;
        next();
      } catch (e) {
        next(e);
      }
    };
  }

  // RestrictedFields (restricted-fields.ts): what the core layers give req.restrictedFields.
  class RestrictedFields {
    #fields = new Set();
    list() {
      return Array.from(this.#fields);
    }
    add(fields) {
      fields.map((f) => this.#fields.add(f));
    }
  }

  // Medusa's authenticate (packages/core/framework/src/http/middlewares/authenticate-middleware.ts):
  // a bearer JWT signed with projectConfig.http.jwtSecret whose actor_type is allowed fills
  // req.auth_context; otherwise 401 {"message":"Unauthorized"}, unless allowUnauthenticated.
  // Sessions come from POST /auth/session (server.js). The embedded runtime has no secret API
  // keys (they need the api-key module); medusa-ls prints development tokens at start instead.
  function authenticate(actorType, authType, options = {}) {
    return async function authenticateMiddleware(req, res, next) {
      const authTypes = Array.isArray(authType) ? authType : [authType];
      const actorTypes = Array.isArray(actorType) ? actorType : [actorType];
      const permitted = (t) => actorTypes.includes("*") || actorTypes.includes(t);
      let authContext = null;
      // getAuthContextFromSession: a session's auth context of a permitted actor type.
      if (authTypes.includes("session") && req.session && req.session.auth_context && permitted(req.session.auth_context.actor_type)) {
        authContext = req.session.auth_context;
      }
      if (!authContext && authTypes.includes("bearer") && req.headers.authorization) {
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

  return {
    defineMiddlewares, validateAndTransformBody, validateAndTransformQuery, authenticate, zodValidator,
    RestrictedFields, getRelationsDepth, validateRelationsLimit,
    // Medusa's are async (the RBAC filter may query).
    prepareListQuery: async (validated, queryConfig, _req) => prepareListQuery(validated, queryConfig),
    prepareRetrieveQuery: async (validated, queryConfig, _req) => prepareRetrieveQuery(validated, queryConfig),
  };
})
