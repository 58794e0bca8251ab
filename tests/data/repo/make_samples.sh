#!/usr/bin/env bash
# Make small sample repositories on each engine of the shared stack (fs repositories).
set -u
source /work/main/.stack/env
mk() { # url fsroot name settings-json
  local url=$1 root=$2 name=$3 settings=$4
  local loc="$root/$name"
  curl -s -XDELETE "$url/_snapshot/$name" >/dev/null
  rm -rf "$loc"
  echo "== $name on $url: $(curl -s -XPUT "$url/_snapshot/$name" -H 'content-type: application/json' -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$loc\"$settings}}")"
  local idx="repofmt-idx-$name"
  curl -s -XDELETE "$url/$idx" >/dev/null
  curl -s -XPUT "$url/$idx" -H 'content-type: application/json' -d '{"settings":{"number_of_shards":2,"number_of_replicas":0},"mappings":{"properties":{"t":{"type":"text"},"n":{"type":"long"}}}}' >/dev/null
  for i in 1 2 3 4 5; do curl -s -XPUT "$url/$idx/_doc/d$i" -H 'content-type: application/json' -d "{\"t\":\"hello world $i ünïcødé\",\"n\":$i}" >/dev/null; done
  curl -s -XPOST "$url/$idx/_refresh" >/dev/null; curl -s -XPOST "$url/$idx/_flush" >/dev/null
  echo " s1: $(curl -s -XPUT "$url/_snapshot/$name/s1?wait_for_completion=true" -H 'content-type: application/json' -d "{\"indices\":\"$idx\",\"include_global_state\":false,\"metadata\":{\"who\":\"repofmt\",\"n\":42}}" | head -c 200)"
  for i in 6 7; do curl -s -XPUT "$url/$idx/_doc/d$i" -H 'content-type: application/json' -d "{\"t\":\"more $i\",\"n\":$i}" >/dev/null; done
  curl -s -XPOST "$url/$idx/_flush?force=true" >/dev/null
  echo " s2: $(curl -s -XPUT "$url/_snapshot/$name/s2?wait_for_completion=true" -H 'content-type: application/json' -d "{\"indices\":\"$idx\",\"include_global_state\":true}" | head -c 200)"
  curl -s -XDELETE "$url/$idx" >/dev/null
}
mk "$ESSNAP_TEST_ELASTICSEARCH_URL" "$ESSNAP_TEST_ELASTICSEARCH_FS_REPO_PATH" repofmt-es8-c ',"compress":true,"chunk_size":"2kb"'
mk "$ESSNAP_TEST_ELASTICSEARCH_URL" "$ESSNAP_TEST_ELASTICSEARCH_FS_REPO_PATH" repofmt-es8-u ',"compress":false'
mk "$ESSNAP_TEST_OPENSEARCH_URL" "$ESSNAP_TEST_OPENSEARCH_FS_REPO_PATH" repofmt-os2-c ',"compress":true'
mk "$ESSNAP_TEST_OPENSEARCH_URL" "$ESSNAP_TEST_OPENSEARCH_FS_REPO_PATH" repofmt-os2-u ',"compress":false'
mk "$ESSNAP_TEST_OPENSEARCH_URL" "$ESSNAP_TEST_OPENSEARCH_FS_REPO_PATH" repofmt-os2-z ',"compress":true,"compression_type":"zstd"'
mk "$ESSNAP_TEST_OPENSEARCH3_URL" "$ESSNAP_TEST_OPENSEARCH3_FS_REPO_PATH" repofmt-os3-c ',"compress":true,"compression_type":"deflate"'
mk "$ESSNAP_TEST_OPENSEARCH3_URL" "$ESSNAP_TEST_OPENSEARCH3_FS_REPO_PATH" repofmt-os3-z ',"compress":true,"compression_type":"zstd","chunk_size":"2kb"'
mk "$ESSNAP_TEST_OPENSEARCH3_URL" "$ESSNAP_TEST_OPENSEARCH3_FS_REPO_PATH" repofmt-os3-u ',"compress":false'
