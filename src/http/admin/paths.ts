/** Where the admin API is mounted; the CLI prints URLs under it without loading the HTTP stack. */
export const ADMIN_API_PREFIX = '/admin/api/v1';
export const OPENAPI_PATH = `${ADMIN_API_PREFIX}/openapi.json`;
