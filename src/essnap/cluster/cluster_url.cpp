#include "essnap/cluster/cluster_url.hpp"

#include <string>

#include "essnap/util/url.hpp"

namespace essnap::cluster {

Status validate_cluster_url(std::string_view url, std::string_view what) {
  const std::string example = "give the cluster root, e.g. https://es.internal:9200";
  if (url.empty())
    return Error(ErrorCode::kInvalidArgument, std::string(what) + " is empty", example);
  const std::size_t sep = url.find("://");
  if (sep != std::string_view::npos) {
    const std::string_view rest = url.substr(sep + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos)  // not quoted: it is usually a password
      return Error(ErrorCode::kInvalidArgument,
                   std::string(what) + " holds a user name or password (user:password@)",
                   "credentials never go in a URL: remove them and give the cluster's user "
                   "with password_env or password_file (auth: basic), or an API key");
  }
  auto parsed = util::parse_url(url);
  if (!parsed.ok())
    return Error(ErrorCode::kInvalidArgument, std::string(what) + ": " + parsed.error().message,
                 parsed.error().message.find("scheme") != std::string::npos
                     ? "use http:// or https://; " + example
                     : example);
  return ok_status();
}

}  // namespace essnap::cluster
