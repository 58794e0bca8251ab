#!/usr/bin/env bash
# Sample repositories on the engines engineer's stack (older majors); cleaned up after copying.
set -u
E=/work/wt/engines/.stack/env
source $E
mk() { # url fsroot name settings-json type_field(6.x)
  local url=$1 root=$2 name=$3 settings=$4 mapping=$5
  local loc="$root/$name"
  curl -s -XDELETE "$url/_snapshot/$name" >/dev/null
  rm -rf "$loc"
  echo "== $name on $url: $(curl -s -XPUT "$url/_snapshot/$name" -H 'content-type: application/json' -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$loc\"$settings}}")"
  local idx="repofmt-idx-$name"
  curl -s -XDELETE "$url/$idx" >/dev/null
  curl -s -XPUT "$url/$idx" -H 'content-type: application/json' -d "{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},\"mappings\":$mapping}" | head -c 200; echo
  local doc=_doc
  for i in 1 2 3 4 5; do curl -s -XPUT "$url/$idx/$doc/d$i" -H 'content-type: application/json' -d "{\"t\":\"hello world $i\",\"n\":$i}" >/dev/null; done
  curl -s -XPOST "$url/$idx/_flush" >/dev/null
  echo " s1: $(curl -s -XPUT "$url/_snapshot/$name/s1?wait_for_completion=true" -H 'content-type: application/json' -d "{\"indices\":\"$idx\",\"include_global_state\":false,\"metadata\":{\"who\":\"repofmt\",\"n\":42}}" | head -c 150)"
  for i in 6 7; do curl -s -XPUT "$url/$idx/$doc/d$i" -H 'content-type: application/json' -d "{\"t\":\"more $i\",\"n\":$i}" >/dev/null; done
  curl -s -XPOST "$url/$idx/_flush?force=true" >/dev/null
  echo " s2: $(curl -s -XPUT "$url/_snapshot/$name/s2?wait_for_completion=true" -H 'content-type: application/json' -d "{\"indices\":\"$idx\",\"include_global_state\":false}" | head -c 150)"
  OUT=${OUT:-/tmp/repofmt/samples}; mkdir -p "$OUT"; rm -rf "$OUT/$name"; cp -r "$loc" "$OUT/$name"
  curl -s -XDELETE "$url/$idx" >/dev/null; curl -s -XDELETE "$url/_snapshot/$name" >/dev/null; rm -rf "$loc"
}
M='{"properties":{"t":{"type":"text"},"n":{"type":"long"}}}'
mk "$ESSNAP_TEST_ELASTICSEARCH6_URL" "$ESSNAP_TEST_ELASTICSEARCH6_FS_REPO_PATH" repofmt-es6 ',"compress":true' "{\"_doc\":$M}"
mk "$ESSNAP_TEST_ELASTICSEARCH710_URL" "$ESSNAP_TEST_ELASTICSEARCH710_FS_REPO_PATH" repofmt-es710 ',"compress":true' "$M"
mk "$ESSNAP_TEST_ELASTICSEARCH7_URL" "$ESSNAP_TEST_ELASTICSEARCH7_FS_REPO_PATH" repofmt-es7 ',"compress":true' "$M"
mk "$ESSNAP_TEST_ELASTICSEARCH9_URL" "$ESSNAP_TEST_ELASTICSEARCH9_FS_REPO_PATH" repofmt-es9 ',"compress":true' "$M"
mk "$ESSNAP_TEST_OPENSEARCH1_URL" "$ESSNAP_TEST_OPENSEARCH1_FS_REPO_PATH" repofmt-os1 ',"compress":true' "$M"
