// Package webhooks will own Standard Webhooks signing and Verify (importable by platforms),
// the dispatcher that claims due deliveries, sends, retries and disables endpoints, and the
// URL guard against server-side request forgery.
package webhooks
