// Package settingsrules holds the 1xx rules: Django settings and URLconfs.
// They read the project model (internal/project) and the statically
// evaluated settings (internal/settings) of each project's production
// settings module; findings name the setting, its effective value (secrets
// redacted), where it was set, and the Django check ID when Django's own
// `check --deploy` has the same check.
package settingsrules

import "github.com/djangoguard/djangoguard/internal/rules"

// Rules returns the 1xx rules.
func Rules() []*rules.Rule {
	return []*rules.Rule{
		DebugEnabled, SecretKeyInSource,
		securityMiddlewareMissing, xframeMiddlewareMissing, csrfMiddlewareMissing,
		hstsNotSet, hstsNoSubdomains, nosniffOff, sslRedirectOff, weakSecretKey,
		sessionCookieNotSecure, sessionCookieNotHTTPOnly, csrfCookieNotSecure,
		xFrameOptionsNotDeny, allowedHostsEmpty, hstsNoPreload, referrerPolicyNone,
		referrerPolicyInvalid, coopInvalid, weakSecretKeyFallback, hashingAlgorithmInvalid,
		asyncUnsafe, cacheLocationExposed,
		allowedHostsWildcard, debugEnvDefaultTrue, hardcodedCredential, databaseSuperuser,
		weakPasswordHasher, passwordValidatorsMissing, pickleSessions, signedCookieSessions,
		cookieSameSite, languageCookieNotSecure, csrfTrustedOrigins, proxySSLHeader,
		useXForwardedHost, uploadLimitsDisabled, fileUploadPermissions, mediaRootExposed,
		hstsTooShort, templateOptions, corsAllowAll, cspMissing, cspWeak, bruteForce,
		drfPermissions, drfThrottling, debugAppsInProduction, middlewareOrder, longSession,
		adminDefaultURL, mediaServedUnguarded, debugToolbarURLs, sequentialIDs,
	}
}
