// Names that go into request paths — repositories, snapshots, indices, index patterns — checked
// once against the engines' own rules, and the one function that turns them into path segments.
// A name that passes can only ever be one segment: it cannot become "..", another API or a list.
//
// The rules, read from Elasticsearch's sources (OpenSearch forked them unchanged):
//   index / alias  MetadataCreateIndexService.validateIndexOrAliasName + validateIndexName
//                  (server/src/main/java/org/elasticsearch/cluster/metadata/
//                  MetadataCreateIndexService.java): none of Strings.INVALID_FILENAME_CHARS
//                  (\ / * ? " < > | space ,), no '#', no ':', not starting '_' '-' '+', at most
//                  MAX_INDEX_NAME_BYTES = 255 bytes of UTF-8, not "." or "..", lower case.
//   snapshot       SnapshotsService.validate / InvalidSnapshotNameException.Reason (EMPTY,
//                  WHITESPACE, INVALID_FILENAME_CHARS, '#', leading '_', UPPERCASE): the same
//                  characters, plus ':' refused by essnap (reserved for "repo:snapshot" in the
//                  engines' messages), and leading '-' (an exclusion in a name list).
//   repository     RepositoriesService.validate: not empty, no whitespace, none of
//                  INVALID_FILENAME_CHARS, no '#'. Upper case is allowed. essnap adds: not
//                  starting '_' (the API's own words: _all, _status, _cleanup), not "." or "..",
//                  at most 255 bytes.
// Everywhere: valid UTF-8 (the engines decode paths and bodies as UTF-8; nlohmann::json throws
// on anything else) and no control bytes. Every failure is kInvalidArgument (exit 2) naming the
// argument and the rule.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::cluster::names {

inline constexpr std::size_t kMaxNameBytes = 255;

// `what` names the argument in messages: "--repository", "snapshot NAME", "--indices".
Status validate_utf8(std::string_view value, std::string_view what);

Status validate_repository_name(std::string_view name, std::string_view what = "repository name");

// An exact snapshot name (after template expansion: date math is resolved on our side first).
Status validate_snapshot_name(std::string_view name, std::string_view what = "snapshot name");

// One element of a snapshot selection: a name, '*' wildcards, or "-pattern" (an exclusion).
Status validate_snapshot_pattern(std::string_view pattern, std::string_view what = "snapshot");

// An exact index name (no wildcard).
Status validate_index_name(std::string_view name, std::string_view what = "index name");

// One element of an index selection: a name, '*' wildcards, "-pattern" exclusions, or a
// date-math expression "<logs-{now/d}>" (resolved by the engine in a snapshot's body).
Status validate_index_pattern(std::string_view pattern, std::string_view what = "--indices");

// The raw -i/--indices arguments as the user gave them ("a,b", repeated flags): every element
// must be a valid pattern, and an argument with no element at all ('', ',', ' ') is refused —
// an empty selection would mean "every index" to the engine.
Status validate_index_arguments(const std::vector<std::string>& args,
                                std::string_view what = "--indices");

// Any other free text going into a JSON body (metadata values, rename suffixes, settings).
inline Status validate_text(std::string_view value, std::string_view what) {
  return validate_utf8(value, what);
}

// One path segment: every byte outside RFC 3986 unreserved is percent-encoded ('/' ',' '?' '#'
// '*' '<' included), and "." / ".." are written %2E so no client, proxy or server takes them
// for dot-segments. Names are validated before they get here; this is the second wall.
std::string segment(std::string_view raw);

// A comma list as one segment ("a,b*,-c"): each element encoded, joined with a raw ','.
std::string list_segment(const std::vector<std::string>& elements);

// A piece of a path: one name (encoded whole) or a list (see list_segment). API words
// ("_snapshot", "_status") are unreserved characters, so encoding leaves them as they are.
class Segment {
 public:
  Segment(std::string_view one) : encoded_(segment(one)) {}    // NOLINT: implicit by design
  Segment(const std::string& one) : encoded_(segment(one)) {}  // NOLINT
  Segment(const char* one) : encoded_(segment(one)) {}         // NOLINT
  static Segment list(const std::vector<std::string>& elements) {
    Segment s;
    s.encoded_ = list_segment(elements);
    return s;
  }
  const std::string& encoded() const { return encoded_; }

 private:
  Segment() = default;
  std::string encoded_;
};

// "/" + the segments joined with "/". Every request path in cluster/ is built here.
std::string path(std::initializer_list<Segment> segments);

// The inverse, for tests and diagnostics: a path (without its query) split on '/' and each
// segment percent-decoded. "/_snapshot/a%2Fb" -> {"_snapshot", "a/b"}. Empty on a bad escape.
std::vector<std::string> decode_path(std::string_view path);

}  // namespace essnap::cluster::names
