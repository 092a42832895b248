// A tenant's issuer identifier, `{BASE}/t/{tenant}/oidc`. On its own so that what only needs the
// name (audit checkpoints, the CLI) does not load the provider.
export function issuerFor(baseUrl: URL, tenantId: string): string {
  return new URL(`/t/${encodeURIComponent(tenantId)}/oidc`, baseUrl).toString();
}
