#include "essnap/aws/endpoint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace essnap::aws {

namespace {

std::string normalize_host(std::string_view host) {
  // Strip "scheme://", a path, a port and a trailing dot, so callers may pass what they have.
  if (const auto p = host.find("://"); p != std::string_view::npos) host = host.substr(p + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  if (const auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (!host.starts_with('[')) {
    if (const auto colon = host.rfind(':'); colon != std::string_view::npos)
      host = host.substr(0, colon);
  }
  if (host.ends_with('.')) host.remove_suffix(1);
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string_view> split_labels(std::string_view host) {
  std::vector<std::string_view> labels;
  while (true) {
    const auto dot = host.find('.');
    labels.push_back(host.substr(0, dot));
    if (dot == std::string_view::npos) break;
    host = host.substr(dot + 1);
  }
  return labels;
}

constexpr std::array<std::string_view, 4> kSuffixes = {".amazonaws.com", ".amazonaws.com.cn",
                                                       ".on.aws", ".api.aws"};

}  // namespace

bool looks_like_region(std::string_view s) {
  // <2 letters>-[gov-|iso[letters]-]<letters>-<digits>
  const auto parts = [&] {
    std::vector<std::string_view> v;
    while (true) {
      const auto d = s.find('-');
      v.push_back(s.substr(0, d));
      if (d == std::string_view::npos) break;
      s = s.substr(d + 1);
    }
    return v;
  }();
  if (parts.size() < 3 || parts.size() > 4) return false;
  auto letters = [](std::string_view p) {
    return !p.empty() &&
           std::all_of(p.begin(), p.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  };
  auto digits = [](std::string_view p) {
    return !p.empty() &&
           std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (parts.front().size() != 2 || !letters(parts.front())) return false;
  for (std::size_t i = 1; i + 1 < parts.size(); ++i)
    if (!letters(parts[i])) return false;
  return digits(parts.back());
}

bool is_aws_host(std::string_view host) {
  const std::string h = normalize_host(host);
  return std::any_of(kSuffixes.begin(), kSuffixes.end(),
                     [&](std::string_view s) { return h.ends_with(s); });
}

std::optional<AwsEndpoint> parse_aws_endpoint(std::string_view host) {
  const std::string h = normalize_host(host);
  if (!is_aws_host(h)) return std::nullopt;
  const auto labels = split_labels(h);
  // The region is the right-most region-shaped label; the label right after it names the
  // service (es, aoss, s3) in the classic form, the one before it in the *.on.aws form
  // (search-x.aos.eu-west-1.on.aws).
  for (std::size_t i = labels.size(); i-- > 0;) {
    if (!looks_like_region(labels[i])) continue;
    AwsEndpoint ep;
    ep.region = std::string(labels[i]);
    auto name = [](std::string_view l) -> std::string {
      if (l == "es" || l == "aos" || l == "es-fips") return "es";
      if (l == "aoss" || l == "aoss-fips") return "aoss";
      if (l == "s3" || l.starts_with("s3-")) return "s3";
      return {};
    };
    if (i + 1 < labels.size()) ep.service = name(labels[i + 1]);
    if (ep.service.empty() && i > 0) ep.service = name(labels[i - 1]);
    return ep;
  }
  return std::nullopt;
}

std::optional<std::string> region_from_host(std::string_view host) {
  auto ep = parse_aws_endpoint(host);
  if (!ep) return std::nullopt;
  return std::move(ep->region);
}

}  // namespace essnap::aws
