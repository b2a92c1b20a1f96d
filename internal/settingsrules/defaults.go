package settingsrules

import "github.com/djangoguard/djangoguard/internal/settings"

// defaultValue returns Django's default for a setting in a version, nil when
// the setting does not exist there (or has no default worth modelling).
// The facts are in docs/settings.md (from Django's global_settings.py).
func defaultValue(name string, v version) *settings.Value {
	switch name {
	case "DEBUG", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
		"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_USE_SESSIONS",
		"SESSION_EXPIRE_AT_BROWSER_CLOSE", "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY",
		"USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT":
		return settings.NewBool(false)
	case "SESSION_COOKIE_HTTPONLY":
		return settings.NewBool(true)
	case "ALLOWED_HOSTS", "INSTALLED_APPS", "MIDDLEWARE", "CSRF_TRUSTED_ORIGINS", "AUTH_PASSWORD_VALIDATORS",
		"STATICFILES_DIRS", "TEMPLATES", "SECURE_REDIRECT_EXEMPT":
		return settings.NewList()
	case "SECRET_KEY":
		return settings.NewStr("")
	case "SECRET_KEY_FALLBACKS":
		if v.atLeast(4, 1) {
			return settings.NewList()
		}
	case "SECURE_HSTS_SECONDS":
		return settings.NewInt(0)
	case "SECURE_CONTENT_TYPE_NOSNIFF":
		return settings.NewBool(v.atLeast(3, 0))
	case "SECURE_REFERRER_POLICY":
		switch {
		case v.atLeast(3, 1):
			return settings.NewStr("same-origin")
		case v.atLeast(3, 0):
			return settings.NewNone()
		}
	case "SECURE_CROSS_ORIGIN_OPENER_POLICY":
		if v.atLeast(4, 0) {
			return settings.NewStr("same-origin")
		}
	case "X_FRAME_OPTIONS":
		if v.atLeast(3, 0) {
			return settings.NewStr("DENY")
		}
		return settings.NewStr("SAMEORIGIN")
	case "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE":
		return settings.NewStr("Lax")
	case "LANGUAGE_COOKIE_SAMESITE", "SECURE_PROXY_SSL_HEADER", "STATIC_ROOT":
		return settings.NewNone()
	case "SESSION_COOKIE_AGE":
		return settings.NewInt(1209600)
	case "SESSION_ENGINE":
		return settings.NewStr("django.contrib.sessions.backends.db")
	case "SESSION_SERIALIZER":
		return settings.NewStr("django.contrib.sessions.serializers.JSONSerializer")
	case "DEFAULT_HASHING_ALGORITHM":
		if v.atLeast(3, 1) && v.before(4, 0) {
			return settings.NewStr("sha256")
		}
	case "MEDIA_ROOT":
		return settings.NewStr("")
	case "DATA_UPLOAD_MAX_MEMORY_SIZE", "FILE_UPLOAD_MAX_MEMORY_SIZE":
		return settings.NewInt(2621440)
	case "DATA_UPLOAD_MAX_NUMBER_FIELDS":
		return settings.NewInt(1000)
	case "DATA_UPLOAD_MAX_NUMBER_FILES":
		return settings.NewInt(100)
	case "FILE_UPLOAD_PERMISSIONS":
		if v.atLeast(3, 0) {
			return settings.NewInt(0o644)
		}
		return settings.NewNone()
	case "PASSWORD_HASHERS":
		return defaultHashers(v)
	case "CACHES":
		d := settings.NewDict()
		_ = d
		return nil
	}
	return nil
}

func defaultHashers(v version) *settings.Value {
	l := []string{
		"django.contrib.auth.hashers.PBKDF2PasswordHasher",
		"django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
		"django.contrib.auth.hashers.Argon2PasswordHasher",
		"django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
	}
	if v.atLeast(4, 0) {
		l = append(l, "django.contrib.auth.hashers.ScryptPasswordHasher")
	}
	return settings.NewList(l...)
}
