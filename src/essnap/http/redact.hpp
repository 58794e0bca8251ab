// Redaction of secrets in anything we print about a request: header values, URLs (user info
// and presigned query parameters) and JSON bodies. Used by the -v trace and by commands that
// echo requests back.
#pragma once

#include <string>
#include <string_view>

namespace essnap::http {

inline constexpr std::string_view kRedacted = "[redacted]";

// True for headers whose value is a credential (Authorization, Cookie, X-Amz-Security-Token,
// anything named like a token, secret, password or API key).
bool is_secret_header(std::string_view name);

// The value to print for a header. AWS4 Authorization keeps the algorithm, the masked key id,
// the scope and SignedHeaders (what you need to debug a mismatch) and drops the signature;
// other schemes keep only the scheme word.
std::string redact_header_value(std::string_view name, std::string_view value);

// URL with user:password@ removed and secret query values (X-Amz-Signature,
// X-Amz-Security-Token, X-Amz-Credential's key id, password/token/secret/key params) replaced.
std::string redact_url(std::string_view url);

// Masks values of JSON members named like secrets ("password", "secret_key", "token",
// "api_key", ...) in text that looks like JSON; other bytes are left as they are.
std::string redact_body(std::string_view body);

// "AKIAIOSFODNN7EXAMPLE" -> "****MPLE"; ids under 8 characters -> "****". The one masking rule:
// traces, `essnap credentials` and error messages all use it.
std::string mask_key_id(std::string_view key_id);

}  // namespace essnap::http
