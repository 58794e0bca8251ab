#include "essnap/s3/bucket_config.hpp"

#include <initializer_list>
#include <pugixml.hpp>

namespace essnap::s3 {
namespace {

std::string text(const pugi::xml_node& n, const char* name) {
  return n.child(name).text().as_string();
}

Result<pugi::xml_node> load(pugi::xml_document& doc, std::string_view xml, const char* what) {
  if (!doc.load_buffer(xml.data(), xml.size()))
    return make_error(ErrorCode::kParse,
                      std::string("S3 ") + what + " answered with something not XML");
  return doc.document_element();
}

LifecycleTransition transition(const pugi::xml_node& n, const char* days_name) {
  LifecycleTransition t;
  if (n.child(days_name)) t.days = n.child(days_name).text().as_int();
  t.date = text(n, "Date");
  t.storage_class = text(n, "StorageClass");
  return t;
}

// The answer of a configuration GET: the body on 2xx, "" when S3 says none is configured (one of
// `absent` as the error type, or 404 from a server that names it otherwise), an Error else.
Result<std::optional<std::string>> config_body(Client& client, const std::string& operation,
                                               const std::string& bucket, const std::string& query,
                                               std::initializer_list<const char*> absent) {
  ESSNAP_TRY(auto resp, client.get_bucket_subresource(operation, bucket, query));
  if (resp.status < 300) return std::optional<std::string>(std::move(resp.body));
  Error e = error_from_response(operation, bucket, resp);
  if (e.remote)
    for (const char* a : absent)
      if (e.remote->error_type == a) return std::optional<std::string>();
  return e;
}

}  // namespace

bool prefix_overlaps(std::string_view rule_prefix, std::string_view repository_prefix) {
  std::string repo(repository_prefix);
  if (!repo.empty() && repo.back() != '/') repo += '/';
  // The rule covers the repository when one is a prefix of the other.
  const std::size_t n = std::min(rule_prefix.size(), repo.size());
  return rule_prefix.substr(0, n) == std::string_view(repo).substr(0, n);
}

Result<BucketLifecycle> parse_lifecycle(std::string_view xml) {
  pugi::xml_document doc;
  ESSNAP_TRY(auto root, load(doc, xml, "GetBucketLifecycleConfiguration"));
  BucketLifecycle out;
  for (auto r : root.children("Rule")) {
    LifecycleRule rule;
    rule.id = text(r, "ID");
    rule.enabled = text(r, "Status") == "Enabled";
    if (r.child("Prefix")) rule.prefix = text(r, "Prefix");
    if (auto f = r.child("Filter")) {
      if (f.child("Prefix")) rule.prefix = text(f, "Prefix");
      if (auto a = f.child("And")) {
        rule.prefix = text(a, "Prefix");
        rule.has_tag_filter = static_cast<bool>(a.child("Tag"));
      }
      if (f.child("Tag")) rule.has_tag_filter = true;
    }
    for (auto t : r.children("Transition")) rule.transitions.push_back(transition(t, "Days"));
    if (auto e = r.child("Expiration")) {
      rule.expired_object_delete_marker = text(e, "ExpiredObjectDeleteMarker") == "true";
      if (e.child("Days") || e.child("Date")) {
        rule.expires = true;
        if (e.child("Days")) rule.expiration_days = e.child("Days").text().as_int();
      }
    }
    if (auto e = r.child("NoncurrentVersionExpiration")) {
      rule.noncurrent_expires = true;
      if (e.child("NoncurrentDays"))
        rule.noncurrent_days = e.child("NoncurrentDays").text().as_int();
    }
    for (auto t : r.children("NoncurrentVersionTransition"))
      rule.noncurrent_transitions.push_back(transition(t, "NoncurrentDays"));
    out.rules.push_back(std::move(rule));
  }
  return out;
}

Result<BucketVersioning> parse_versioning(std::string_view xml) {
  pugi::xml_document doc;
  ESSNAP_TRY(auto root, load(doc, xml, "GetBucketVersioning"));
  return BucketVersioning{text(root, "Status")};
}

Result<BucketReplication> parse_replication(std::string_view xml) {
  pugi::xml_document doc;
  ESSNAP_TRY(auto root, load(doc, xml, "GetBucketReplication"));
  BucketReplication out;
  for (auto r : root.children("Rule"))
    out.rules.push_back(
        {text(r, "ID"), text(r, "Status") == "Enabled", text(r.child("Destination"), "Bucket")});
  return out;
}

Result<std::vector<IntelligentTieringConfiguration>> parse_intelligent_tiering(
    std::string_view xml) {
  pugi::xml_document doc;
  ESSNAP_TRY(auto root, load(doc, xml, "ListBucketIntelligentTieringConfigurations"));
  std::vector<IntelligentTieringConfiguration> out;
  for (auto c : root.children("IntelligentTieringConfiguration")) {
    IntelligentTieringConfiguration cfg;
    cfg.id = text(c, "Id");
    cfg.enabled = text(c, "Status") == "Enabled";
    if (auto f = c.child("Filter")) {
      cfg.prefix = text(f, "Prefix");
      if (auto a = f.child("And")) cfg.prefix = text(a, "Prefix");
    }
    for (auto t : c.children("Tiering"))
      cfg.tierings.push_back({text(t, "AccessTier"), t.child("Days").text().as_int()});
    out.push_back(std::move(cfg));
  }
  return out;
}

Result<std::vector<std::string>> parse_bucket_names(std::string_view xml) {
  pugi::xml_document doc;
  ESSNAP_TRY(auto root, load(doc, xml, "ListBuckets"));
  std::vector<std::string> out;
  for (auto b : root.child("Buckets").children("Bucket")) out.push_back(text(b, "Name"));
  return out;
}

Result<BucketLifecycle> get_bucket_lifecycle(Client& client, const std::string& bucket) {
  ESSNAP_TRY(auto body, config_body(client, "GetBucketLifecycleConfiguration", bucket,
                                    "lifecycle=", {"NoSuchLifecycleConfiguration"}));
  if (!body) return BucketLifecycle{};
  return parse_lifecycle(*body);
}

Result<BucketVersioning> get_bucket_versioning(Client& client, const std::string& bucket) {
  ESSNAP_TRY(auto body, config_body(client, "GetBucketVersioning", bucket, "versioning=", {}));
  if (!body) return BucketVersioning{};
  return parse_versioning(*body);
}

Result<BucketReplication> get_bucket_replication(Client& client, const std::string& bucket) {
  ESSNAP_TRY(auto body, config_body(client, "GetBucketReplication", bucket,
                                    "replication=", {"ReplicationConfigurationNotFoundError"}));
  if (!body) return BucketReplication{};
  return parse_replication(*body);
}

Result<std::vector<IntelligentTieringConfiguration>> list_intelligent_tiering(
    Client& client, const std::string& bucket) {
  ESSNAP_TRY(auto body, config_body(client, "ListBucketIntelligentTieringConfigurations", bucket,
                                    "intelligent-tiering=", {}));
  if (!body) return std::vector<IntelligentTieringConfiguration>{};
  return parse_intelligent_tiering(*body);
}

Result<std::optional<nlohmann::json>> get_bucket_policy(Client& client, const std::string& bucket) {
  ESSNAP_TRY(auto body,
             config_body(client, "GetBucketPolicy", bucket, "policy=", {"NoSuchBucketPolicy"}));
  if (!body) return std::optional<nlohmann::json>();
  auto doc = nlohmann::json::parse(*body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(ErrorCode::kParse, "S3 GetBucketPolicy answered with something not JSON");
  return std::optional<nlohmann::json>(std::move(doc));
}

Result<std::vector<std::string>> list_owned_buckets(Client& client) {
  ESSNAP_TRY(auto resp, client.get_bucket_subresource("ListBuckets", "", ""));
  if (resp.status >= 300) return error_from_response("ListBuckets", "", resp);
  return parse_bucket_names(resp.body);
}

}  // namespace essnap::s3
