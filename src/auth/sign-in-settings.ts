/** What auth needs to know of the configuration: the providers and who may sign in. main reads them. */

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface OidcProvider extends OAuthClient {
  id: string;
  name: string;
  issuer: string;
  scopes: string[];
}

export interface Providers {
  github?: OAuthClient;
  google?: OAuthClient;
  oidc?: OidcProvider;
}

/** Who may sign in. Both empty means anyone. */
export interface AllowList {
  domains: string[];
  emails: string[];
}
