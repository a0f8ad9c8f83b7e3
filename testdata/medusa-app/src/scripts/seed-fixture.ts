import { writeFileSync } from "fs"
import path from "path"
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, FeatureFlag, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createUsersWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} from "@medusajs/medusa/core-flows"
import { BRAND_MODULE } from "../modules/brand"
import type BrandModuleService from "../modules/brand/service"

// Idempotent seed for the medusa-ls test fixture: `npx medusa exec ./src/scripts/seed-fixture.ts`
// (setup-db.sh runs it). Creates, when missing:
//   - a publishable API key "Fixture Storefront" linked to the store's default sales channel;
//   - the admin user admin@fixture.test / supersecret (emailpass, like `medusa user -e -p`);
//   - the brand "Acme" and the published product "fixture-tee" in that sales channel, linked to Acme.
// Then writes what tests need to node_modules/.medusa-ls-fixture.json (git-ignored).
export const ADMIN_EMAIL = "admin@fixture.test"
export const ADMIN_PASSWORD = "supersecret"
const KEY_TITLE = "Fixture Storefront"
const PRODUCT_HANDLE = "fixture-tee"
const BRAND_NAME = "Acme"

export default async function seedFixture({ container }: ExecArgs) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const storeModule = container.resolve(Modules.STORE)
  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)
  const apiKeyModule = container.resolve(Modules.API_KEY)
  const productModule = container.resolve(Modules.PRODUCT)
  const brandModule: BrandModuleService = container.resolve(BRAND_MODULE)

  // The store and its default sales channel exist: Medusa's loaders run createDefaultsWorkflow.
  const [store] = await storeModule.listStores({}, { take: 1 })
  const salesChannelId = store?.default_sales_channel_id
  if (!salesChannelId) {
    throw new Error("seed-fixture: the store has no default sales channel")
  }

  // Admin user, the way `medusa user -e … -p …` creates it.
  let [user] = await userModule.listUsers({ email: ADMIN_EMAIL })
  if (!user) {
    let roles: string[] = []
    if (FeatureFlag.isFeatureEnabled("rbac")) {
      const rbac: any = container.resolve(Modules.RBAC)
      roles = (await rbac.listRbacRoles({ id: "role_super_admin" })).map((r: any) => r.id)
    }
    const { result } = await createUsersWorkflow(container).run({
      input: { users: [{ email: ADMIN_EMAIL, roles } as any] },
    })
    user = result[0]
    logger.info(`seed-fixture: created user ${ADMIN_EMAIL}`)
  }
  const identities = await authModule.listProviderIdentities({ entity_id: ADMIN_EMAIL, provider: "emailpass" })
  if (identities.length === 0) {
    const { authIdentity, error } = await authModule.register("emailpass", {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    } as any)
    if (error || !authIdentity) {
      throw new Error(`seed-fixture: registering ${ADMIN_EMAIL}: ${error}`)
    }
    await authModule.updateAuthIdentities({ id: authIdentity.id, app_metadata: { user_id: user.id } })
    logger.info(`seed-fixture: registered emailpass identity for ${ADMIN_EMAIL}`)
  }

  // Publishable API key linked to the default sales channel.
  let [apiKey] = await apiKeyModule.listApiKeys({ title: KEY_TITLE, type: "publishable", revoked_at: null } as any)
  if (!apiKey) {
    const { result } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: KEY_TITLE, type: "publishable", created_by: "" }] },
    })
    apiKey = result[0]
    logger.info(`seed-fixture: created publishable key ${apiKey.id}`)
  }
  const { data: keys } = await query.graph({
    entity: "api_key",
    fields: ["id", "sales_channels.id"],
    filters: { id: apiKey.id },
  })
  if (!(keys[0]?.sales_channels ?? []).some((sc: any) => sc?.id === salesChannelId)) {
    await linkSalesChannelsToApiKeyWorkflow(container).run({
      input: { id: apiKey.id, add: [salesChannelId] },
    })
    logger.info(`seed-fixture: linked ${apiKey.id} to ${salesChannelId}`)
  }

  // Brand and a published product in the sales channel, linked to the brand.
  let [brand] = await brandModule.listBrands({ name: BRAND_NAME })
  if (!brand) {
    brand = await brandModule.createBrands({ name: BRAND_NAME })
    logger.info(`seed-fixture: created brand ${brand.id}`)
  }
  let [product] = await productModule.listProducts({ handle: PRODUCT_HANDLE })
  if (!product) {
    const { result } = await createProductsWorkflow(container).run({
      input: {
        products: [
          {
            title: "Fixture Tee",
            handle: PRODUCT_HANDLE,
            status: ProductStatus.PUBLISHED,
            options: [{ title: "Size", values: ["M"] }],
            variants: [
              {
                title: "M",
                sku: "FIXTURE-TEE-M",
                options: { Size: "M" },
                manage_inventory: false,
                prices: [{ amount: 10, currency_code: "usd" }],
              },
            ],
            sales_channels: [{ id: salesChannelId }],
          },
        ],
      },
    })
    product = result[0]
    logger.info(`seed-fixture: created product ${product.id}`)
  }
  const { data: products } = await query.graph({
    entity: "product",
    fields: ["id", "brand.id"],
    filters: { id: product.id },
  })
  if (!(products[0] as any)?.brand?.id) {
    await link.create({
      [Modules.PRODUCT]: { product_id: product.id },
      [BRAND_MODULE]: { brand_id: brand.id },
    })
    logger.info(`seed-fixture: linked ${product.id} to ${brand.id}`)
  }

  const out = path.join(process.cwd(), "node_modules", ".medusa-ls-fixture.json")
  const fixture = {
    publishable_key: apiKey.token,
    publishable_key_id: apiKey.id,
    sales_channel_id: salesChannelId,
    admin_email: ADMIN_EMAIL,
    admin_password: ADMIN_PASSWORD,
    product_id: product.id,
    product_handle: PRODUCT_HANDLE,
    brand_id: brand.id,
  }
  writeFileSync(out, JSON.stringify(fixture, null, 2) + "\n")
  logger.info(`seed-fixture: wrote ${path.relative(process.cwd(), out)}`)
}
