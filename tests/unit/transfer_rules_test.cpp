// The pure rules of export / import / copy: settings and mapping translation between versions
// and engines (every change reported), refused-setting extraction, adaptive batch sizes and the
// push-back delay, index selection and renames, the import state file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "essnap/transfer/batch.hpp"
#include "essnap/transfer/import.hpp"
#include "essnap/transfer/reader.hpp"
#include "essnap/transfer/translate.hpp"
#include "support/malformed_corpus.hpp"

namespace essnap::transfer {
namespace {

using cluster::Distribution;

const EngineVersion kEs8{Distribution::kElasticsearch, 8, 19};
const EngineVersion kEs6{Distribution::kElasticsearch, 6, 8};
const EngineVersion kOs2{Distribution::kOpenSearch, 2, 19};

bool has_change(const Translation& t, const std::string& needle) {
  return std::any_of(t.changes.begin(), t.changes.end(),
                     [&](const std::string& c) { return c.find(needle) != std::string::npos; });
}

TEST(TransferTranslate, ExportDropsCreationOnlySettings) {
  const nlohmann::json nested = nlohmann::json::parse(R"({"index":{
      "number_of_shards":"2","number_of_replicas":"1","uuid":"U","provided_name":"p","creation_date":"1",
      "version":{"created":"8536000"},"history":{"uuid":"H"},
      "routing":{"allocation":{"include":{"_tier_preference":"data_content"}}},
      "analysis":{"analyzer":{"my":{"type":"standard"}}}}})");
  const nlohmann::json flat = export_settings(nested);
  EXPECT_EQ(flat,
            nlohmann::json::parse(R"({"index.number_of_shards":"2","index.number_of_replicas":"1",
      "index.routing.allocation.include._tier_preference":"data_content",
      "index.analysis.analyzer.my.type":"standard"})"));
}

TEST(TransferTranslate, ElasticsearchToOpenSearchRemovesTiersAndReportsIt) {
  nlohmann::json meta = {{"settings",
                          {{"index.number_of_shards", "1"},
                           {"index.routing.allocation.include._tier_preference", "data_content"},
                           {"index.lifecycle.name", "logs"},
                           {"index.default_pipeline", "p"}}},
                         {"mappings", {{"properties", {{"a", {{"type", "keyword"}}}}}}},
                         {"aliases", {{"al", nlohmann::json::object()}}}};
  const Translation t = translate_index(meta, kEs8, kOs2);
  EXPECT_EQ(t.body["settings"], (nlohmann::json{{"index.number_of_shards", "1"}}));
  EXPECT_EQ(t.body["mappings"], meta["mappings"]);
  EXPECT_EQ(t.body["aliases"], meta["aliases"]);
  EXPECT_EQ(t.changes.size(), 3u);
  EXPECT_TRUE(has_change(t, "index.routing.allocation.include._tier_preference"));
  EXPECT_TRUE(has_change(t, "index.lifecycle.name"));
  EXPECT_TRUE(has_change(t, "index.default_pipeline"));
  // The same definition into Elasticsearch keeps the tier preference.
  const Translation same = translate_index(meta, kEs8, kEs8);
  EXPECT_TRUE(same.body["settings"].contains("index.routing.allocation.include._tier_preference"));
}

TEST(TransferTranslate, OpenSearchToElasticsearchRemovesPluginSettings) {
  nlohmann::json meta = {{"settings",
                          {{"index.replication.type", "DOCUMENT"},
                           {"index.plugins.index_state_management.rollover_alias", "x"},
                           {"index.knn", "true"},
                           {"index.refresh_interval", "1s"}}},
                         {"mappings", nlohmann::json::object()}};
  const Translation t = translate_index(meta, kOs2, kEs8);
  EXPECT_EQ(t.body["settings"], (nlohmann::json{{"index.refresh_interval", "1s"}}));
  EXPECT_EQ(t.changes.size(), 3u);
  EXPECT_FALSE(t.body.contains("aliases"));
}

TEST(TransferTranslate, SixXMappingTypesAreUnwrapped) {
  nlohmann::json meta = {
      {"settings", nlohmann::json::object()},
      {"mappings",
       {{"doc", {{"_all", {{"enabled", false}}}, {"properties", {{"a", {{"type", "text"}}}}}}}}}};
  const Translation t = translate_index(meta, kEs6, kEs8);
  EXPECT_EQ(t.body["mappings"], (nlohmann::json{{"properties", {{"a", {{"type", "text"}}}}}}));
  EXPECT_TRUE(has_change(t, "mapping type doc"));
  EXPECT_TRUE(has_change(t, "_all"));
  // A typeless mapping with one word is left alone.
  nlohmann::json typeless = {{"mappings", {{"dynamic", "strict"}}}};
  EXPECT_TRUE(translate_index(typeless, kEs8, kEs8).changes.empty());
}

TEST(TransferTranslate, RefusedSettingIsReadFromTheEngineError) {
  Error e(ErrorCode::kRemote, "PUT /x: bad");
  e.remote = RemoteDetail{
      400, "illegal_argument_exception",
      "unknown setting [index.foo.bar] please check that any required plugins are installed", ""};
  EXPECT_EQ(refused_setting(e).value_or(""), "index.foo.bar");
  e.remote->reason = "unknown setting [foo.bar] did you mean [index.foo.bar]?";
  EXPECT_EQ(refused_setting(e).value_or(""), "index.foo.bar");
  e.remote->reason = "mapper [a] cannot be changed";
  EXPECT_FALSE(refused_setting(e).has_value());
  EXPECT_FALSE(refused_setting(Error(ErrorCode::kNetwork, "down")).has_value());
}

// The refusals as the engines word them (answers to PUT /index captured from this stack's
// OpenSearch 2.19.6, Elasticsearch 8.19.7 and 6.8.23).
Error mapping_error(const std::string& reason) {
  Error e(ErrorCode::kRemote, "PUT /x: mapper_parsing_exception");
  e.remote = RemoteDetail{400, "mapper_parsing_exception",
                          "Failed to parse mapping [_doc]: " + reason, ""};
  return e;
}

TEST(TransferMappingRefusals, ReadInEveryWordingTheEnginesUse) {
  using K = MappingRefusal::Kind;
  auto r = refused_mapping(mapping_error("No handler for type [flattened] declared on field [f]"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, K::kFieldType);
  EXPECT_EQ(r->type, "flattened");
  EXPECT_EQ(r->field, "f");
  r = refused_mapping(mapping_error("no handler for type [bogus] declared on field [w]"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, "bogus");
  r = refused_mapping(mapping_error(
      "The mapper type [flat_object] declared on field [attrs] does not exist. It might have been "
      "created within a "
      "future version or requires a plugin to be installed. Check the documentation."));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, K::kFieldType);
  EXPECT_EQ(r->type, "flat_object");
  EXPECT_EQ(r->field, "attrs");
  r = refused_mapping(mapping_error(
      "unknown parameter [time_series_dimension] on mapper [host] of type [keyword]"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, K::kFieldParameter);
  EXPECT_EQ(r->field, "host");
  EXPECT_EQ(r->type, "keyword");
  EXPECT_EQ(r->parameters, std::vector<std::string>{"time_series_dimension"});
  r = refused_mapping(mapping_error(
      "Mapping definition for [f] has unsupported parameters:  [bogus_param : true] [x : 1]"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, K::kFieldParameter);
  EXPECT_EQ(r->field, "f");
  EXPECT_EQ(r->parameters, (std::vector<std::string>{"bogus_param", "x"}));
  r = refused_mapping(mapping_error(
      "Root mapping definition has unsupported parameters:  [runtime : {r={type=keyword}}]"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind, K::kRootParameter);
  EXPECT_EQ(r->parameters, std::vector<std::string>{"runtime"});
  EXPECT_FALSE(
      refused_mapping(mapping_error("mapper [a] cannot be changed from type [long] to [text]"))
          .has_value());
  EXPECT_FALSE(refused_mapping(Error(ErrorCode::kNetwork, "down")).has_value());
}

TEST(TransferMappingRefusals, EquivalentFirstThenADisabledObjectThenGiveUp) {
  auto mappings = nlohmann::json::parse(R"({
    "runtime": {"r": {"type": "keyword"}},
    "properties": {
      "attrs": {"type": "flattened", "depth_limit": 5},
      "emb": {"type": "dense_vector", "dims": 3, "similarity": "cosine"},
      "name": {"type": "text", "fields": {"w": {"type": "wildcard"}, "raw": {"type": "keyword"}}},
      "host": {"type": "keyword", "time_series_dimension": true},
      "n": {"type": "unsigned_long"},
      "obj": {"properties": {"attrs": {"type": "flattened"}, "v": {"type": "version"}}}}})");
  MappingRepair repair(mappings);
  std::vector<std::string> changes;
  auto refusal = [](const std::string& reason) {
    return refused_mapping(mapping_error(reason)).value();
  };

  // Both "attrs" fields (root and obj.attrs) get the equivalent, their parameters dropped.
  ASSERT_TRUE(
      repair.apply(refusal("No handler for type [flattened] declared on field [attrs]"), changes));
  EXPECT_EQ(mappings["properties"]["attrs"], nlohmann::json::parse(R"({"type":"flat_object"})"));
  EXPECT_EQ(mappings["properties"]["obj"]["properties"]["attrs"]["type"], "flat_object");
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_NE(changes[0].find(
                "field attrs: type flattened is unknown to the target, mapped as flat_object"),
            std::string::npos)
      << changes[0];
  EXPECT_NE(changes[1].find("field obj.attrs:"), std::string::npos) << changes[1];
  // The equivalent refused too (an OpenSearch before flat_object): a disabled object.
  ASSERT_TRUE(repair.apply(refusal("No handler for type [flat_object] declared on field [attrs]"),
                           changes));
  EXPECT_EQ(mappings["properties"]["attrs"],
            nlohmann::json::parse(R"({"type":"object","enabled":false})"));
  EXPECT_NE(changes.back().find("disabled object"), std::string::npos);
  // dense_vector -> knn_vector keeps the dimension.
  ASSERT_TRUE(repair.apply(
      refusal("The mapper type [dense_vector] declared on field [emb] does not exist."), changes));
  EXPECT_EQ(mappings["properties"]["emb"],
            nlohmann::json::parse(R"({"type":"knn_vector","dimension":3})"));
  // A multi-field of an unknown type whose equivalent is refused: removed, its siblings kept.
  ASSERT_TRUE(
      repair.apply(refusal("no handler for type [wildcard] declared on field [w]"), changes));
  EXPECT_EQ(mappings["properties"]["name"]["fields"]["w"]["type"], "keyword");
  mappings["properties"]["name"]["fields"]["w"]["type"] =
      "wildcard";  // as if the equivalent were refused
  ASSERT_TRUE(
      repair.apply(refusal("no handler for type [wildcard] declared on field [w]"), changes));
  EXPECT_FALSE(mappings["properties"]["name"]["fields"].contains("w"));
  EXPECT_TRUE(mappings["properties"]["name"]["fields"].contains("raw"));
  // Parameters and root entries.
  ASSERT_TRUE(repair.apply(
      refusal("unknown parameter [time_series_dimension] on mapper [host] of type [keyword]"),
      changes));
  EXPECT_EQ(mappings["properties"]["host"], nlohmann::json::parse(R"({"type":"keyword"})"));
  ASSERT_TRUE(repair.apply(
      refusal(
          "Root mapping definition has unsupported parameters:  [runtime : {r={type=keyword}}]"),
      changes));
  EXPECT_FALSE(mappings.contains("runtime"));
  EXPECT_NE(changes.back().find("removed mapping runtime"), std::string::npos);
  ASSERT_TRUE(
      repair.apply(refusal("No handler for type [unsigned_long] declared on field [n]"), changes));
  EXPECT_EQ(mappings["properties"]["n"]["type"], "long");
  EXPECT_NE(changes.back().find("errors file"), std::string::npos);
  ASSERT_TRUE(
      repair.apply(refusal("No handler for type [version] declared on field [v]"), changes));
  EXPECT_EQ(mappings["properties"]["obj"]["properties"]["v"]["type"], "keyword");
  // Nothing matches: the caller gives up instead of looping.
  EXPECT_FALSE(
      repair.apply(refusal("No handler for type [flattened] declared on field [absent]"), changes));
  EXPECT_FALSE(repair.apply(refusal("unknown parameter [nope] on mapper [host] of type [keyword]"),
                            changes));
  EXPECT_FALSE(repair.apply(
      refusal("Root mapping definition has unsupported parameters:  [nope : 1]"), changes));
}

TEST(TransferBatch, GrowsWhenFastShrinksOnPushbackStaysInBounds) {
  BatchOptions o;
  o.min_docs = 100;
  o.start_docs = 1000;
  o.max_docs = 3000;
  AdaptiveBatch b(o);
  EXPECT_EQ(b.docs(), 1000u);
  b.on_success(1000, std::chrono::milliseconds(100));
  EXPECT_EQ(b.docs(), 1500u);
  b.on_success(10, std::chrono::milliseconds(100));  // a short tail says nothing
  EXPECT_EQ(b.docs(), 1500u);
  for (int i = 0; i < 10; ++i) b.on_success(b.docs(), std::chrono::milliseconds(100));
  EXPECT_EQ(b.docs(), 3000u);
  b.on_success(3000, std::chrono::milliseconds(9000));  // slow
  EXPECT_EQ(b.docs(), 2000u);
  b.on_success(2000, std::chrono::milliseconds(2000));  // neither fast nor slow
  EXPECT_EQ(b.docs(), 2000u);
  for (int i = 0; i < 10; ++i) b.on_pushback();
  EXPECT_EQ(b.docs(), 100u);
}

TEST(TransferBatch, PushbackDelayIsBoundedExponential) {
  EXPECT_EQ(pushback_delay(0, 0).count(), 125);
  EXPECT_EQ(pushback_delay(0, 0.999).count(), 249);
  EXPECT_EQ(pushback_delay(2, 0).count(), 500);
  EXPECT_EQ(pushback_delay(30, 0.5).count(), 22500);
  for (int a = 0; a < 40; ++a) {
    EXPECT_LE(pushback_delay(a, 0.99).count(), 30000);
    EXPECT_GT(pushback_delay(a, 0).count(), 0);
  }
}

TEST(TransferSelect, PatternsExclusionsAndMissingNames) {
  const std::vector<std::string> names = {"logs-1", "logs-2", "metrics", "orders"};
  EXPECT_EQ(select_indices(names, {}).value(), names);
  EXPECT_EQ(select_indices(names, {"logs-*"}).value(),
            (std::vector<std::string>{"logs-1", "logs-2"}));
  EXPECT_EQ(select_indices(names, {"*", "-logs-2"}).value(),
            (std::vector<std::string>{"logs-1", "metrics", "orders"}));
  EXPECT_EQ(select_indices(names, {"-logs-*"}).value(),
            (std::vector<std::string>{"metrics", "orders"}));
  EXPECT_EQ(select_indices(names, {"nope"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(select_indices(names, {"x*"}).error().code, ErrorCode::kConflict);
}

TEST(TransferSelect, ADataStreamNameSelectsItsBackingIndices) {
  const std::vector<std::string> names = {".ds-logs-app-000001", ".ds-logs-app-000002", "orders"};
  const std::map<std::string, std::vector<std::string>> streams = {
      {"logs-app", {".ds-logs-app-000001", ".ds-logs-app-000002"}}};
  EXPECT_EQ(select_indices(names, {"logs-app"}, streams).value(),
            (std::vector<std::string>{".ds-logs-app-000001", ".ds-logs-app-000002"}));
  EXPECT_EQ(select_indices(names, {"logs-*"}, streams).value(),
            (std::vector<std::string>{".ds-logs-app-000001", ".ds-logs-app-000002"}));
  EXPECT_EQ(select_indices(names, {"*", "-logs-app"}, streams).value(),
            (std::vector<std::string>{"orders"}));
  EXPECT_EQ(select_indices(names, {"logs-app"}).error().code,
            ErrorCode::kNotFound);  // no groups given
}

TEST(TransferRename, ExactRenameThenSuffix) {
  RenameOptions r;
  r.suffix = "-copy";
  r.exact = {{"a", "b"}};
  EXPECT_EQ(target_name("a", r), "b");
  EXPECT_EQ(target_name("c", r), "c-copy");
  EXPECT_EQ(parse_rename("x=y").value(), (std::pair<std::string, std::string>{"x", "y"}));
  for (const char* bad : {"x", "=y", "x=", "x=../y", "x=Y", "x=a b"})
    EXPECT_EQ(parse_rename(bad).error().code, ErrorCode::kInvalidArgument) << bad;
}

TEST(TransferImportState, RoundTripsAndRefusesDamage) {
  ImportState s;
  s.source = "s3://b/p";
  s.indices["logs"] = {"logs-copy", true, {"logs/000-000000.ndjson.zst"}, 10, 1, 0};
  auto back = parse_import_state(to_json(s).dump(), "state");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->source, "s3://b/p");
  EXPECT_EQ(back->indices["logs"].target, "logs-copy");
  EXPECT_TRUE(back->indices["logs"].created);
  EXPECT_EQ(back->indices["logs"].done.size(), 1u);
  EXPECT_EQ(back->indices["logs"].rejected, 1);
  nlohmann::json j = to_json(s);
  j["indices"]["logs"]["done"] = {1};
  EXPECT_EQ(parse_import_state(j.dump(), "state").error().code, ErrorCode::kParse);
  for (const auto& m : essnap::testing::malformed_corpus())
    EXPECT_NO_THROW(EXPECT_FALSE(parse_import_state(m.bytes, "state").ok()) << m.name) << m.name;
}

TEST(TransferSlices, ChosenFromShardsBoundedByCores) {
  EXPECT_EQ(choose_slices(3, 1), 3);
  EXPECT_EQ(choose_slices(0, 1), 1);
  EXPECT_GE(choose_slices(0, 100), 1);
  EXPECT_LE(choose_slices(0, 100), 8);
  EXPECT_EQ(choose_slices(100, 1), 64);
}

TEST(TransferPages, SizedToTheTargetBytesWithinTheEnginesWindow) {
  // ~0.5 KiB documents: the engines' largest page.
  EXPECT_EQ(page_size_for(600), 10000);
  // 10 KiB documents: 8 MiB / 10 KiB.
  EXPECT_EQ(page_size_for(10240), 819);
  // 1 MiB documents: never below 100 per page.
  EXPECT_EQ(page_size_for(1 << 20), 100);
  // Nothing sampled (an empty index) or nonsense: the largest page.
  EXPECT_EQ(page_size_for(0), 10000);
  EXPECT_EQ(page_size_for(-5), 10000);
  EXPECT_EQ(page_size_for(std::nan("")), 10000);
}

}  // namespace
}  // namespace essnap::transfer
