// Turning what a user types as a request path into what goes on the wire, and the
// Authorization values of the non-AWS schemes.
#pragma once

#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::http {

// Percent-encodes what may not appear raw in a path or query (spaces, quotes, braces, non-ASCII,
// a "%" that does not start an escape) and leaves existing "%XX" escapes and legal characters
// alone. Inside "<...>" in the path (Elasticsearch date math, "<snap-{now/d}>") every byte but
// unreserved is encoded, "/" included, as the server requires.
std::string encode_request_target(std::string_view path_and_query);

// base "https://host:9200/prefix" + "/_cat/indices?v" -> "https://host:9200/prefix/_cat/indices?v".
// A path given as an absolute http(s) URL is used as it is. Fails (kInvalidArgument) when the
// result is not a valid URL.
Result<std::string> join_url(std::string_view base, std::string_view path);

// "Basic base64(user:password)". Fails when the user name contains ':'.
Result<std::string> basic_authorization(std::string_view user, std::string_view password);
// "ApiKey <key>" (the key as Elasticsearch prints it: base64 of id:api_key, or the "encoded"
// field).
std::string apikey_authorization(std::string_view key);

}  // namespace essnap::http
