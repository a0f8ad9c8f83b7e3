// Shared by several routes: edit it and every route that imports it reloads.
export function formatPrice(amount: number, currency = "eur"): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`
}

export function storeName(): string {
  return process.env.STORE_NAME || "Medusa Store"
}
