// In-memory stock levels, shared by the checkout steps.
export const stock: Record<string, number> = {
  prod_shirt: 5,
  prod_mug: 2,
}
