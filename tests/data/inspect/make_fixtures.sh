#!/usr/bin/env bash
# Regenerates the small real repositories the repo_{walker,verify,du,orphans} unit tests read:
# written by the stack's engines (source .stack/env first), copied here. Each is a few dozen KiB.
#   es8/   Elasticsearch 8: index "logs" (2 shards), chunk_size 1kb (split blobs), snapshots
#          s1, s2, s3 with documents added between them, then s2 deleted; index "solo" in s3 only
#   os2/   OpenSearch 2: compress true, compression_type zstd (if the version has it),
#          shard_path_type hashed_prefix (2.17+: shard dirs under hashed prefixes), snapshot h1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${ESSNAP_TEST_ELASTICSEARCH_URL:?source .stack/env}"
J=(-H 'content-type: application/json')
docs() { for i in $(seq "$1" "$2"); do echo '{"index":{}}'; echo "{\"n\":$i,\"t\":\"doc $i\"}"; done; }
mk() {  # url repo location settings-json
  curl -sf -XDELETE "$1/_snapshot/$2" >/dev/null 2>&1 || true
  rm -rf "$3" 2>/dev/null || true
  curl -sf -XPUT "$1/_snapshot/$2" "${J[@]}" -d "{\"type\":\"fs\",\"settings\":{\"location\":\"$3\"$4}}" >/dev/null
}
snap() { curl -sf -XPUT "$1/_snapshot/$2/$3?wait_for_completion=true" "${J[@]}" -d "{\"indices\":\"$4\"}" >/dev/null; }
bulk() { docs "$3" "$4" | curl -sf -XPOST "$1/$2/_bulk?refresh=true" -H 'content-type: application/x-ndjson' --data-binary @- >/dev/null; }
index() { curl -sf -XDELETE "$1/$2" >/dev/null 2>&1 || true
  curl -sf -XPUT "$1/$2" "${J[@]}" -d "{\"settings\":{\"number_of_shards\":$3,\"number_of_replicas\":0}}" >/dev/null; }

ES=$ESSNAP_TEST_ELASTICSEARCH_URL
loc=$ESSNAP_TEST_ELASTICSEARCH_FS_REPO_PATH/insp-fixture-es8
mk "$ES" insp-fixture-es8 "$loc" ',"chunk_size":"1kb"'
index "$ES" insp-fx-logs 2; bulk "$ES" insp-fx-logs 1 30
snap "$ES" insp-fixture-es8 s1 insp-fx-logs
bulk "$ES" insp-fx-logs 31 60; snap "$ES" insp-fixture-es8 s2 insp-fx-logs
index "$ES" insp-fx-solo 1; bulk "$ES" insp-fx-solo 1 10
bulk "$ES" insp-fx-logs 61 90; snap "$ES" insp-fixture-es8 s3 'insp-fx-logs,insp-fx-solo'
curl -sf -XDELETE "$ES/_snapshot/insp-fixture-es8/s2" >/dev/null
curl -sf "$ES/_snapshot/insp-fixture-es8/_all" > "$here/es8.snapshots.json"
rm -rf "$here/es8"; cp -r "$loc" "$here/es8"
curl -sf -XDELETE "$ES/insp-fx-logs,insp-fx-solo" >/dev/null
curl -sf -XDELETE "$ES/_snapshot/insp-fixture-es8" >/dev/null

OS=$ESSNAP_TEST_OPENSEARCH_URL
loc=$ESSNAP_TEST_OPENSEARCH_FS_REPO_PATH/insp-fixture-os2
mk "$OS" insp-fixture-os2 "$loc" ',"compress":true,"compression_type":"zstd","shard_path_type":"hashed_prefix"'
index "$OS" insp-fx-h 2; bulk "$OS" insp-fx-h 1 20
snap "$OS" insp-fixture-os2 h1 insp-fx-h
curl -sf "$OS/_snapshot/insp-fixture-os2/_all" > "$here/os2.snapshots.json"
rm -rf "$here/os2"; cp -r "$loc" "$here/os2"
curl -sf -XDELETE "$OS/insp-fx-h" >/dev/null
curl -sf -XDELETE "$OS/_snapshot/insp-fixture-os2" >/dev/null
chmod -R u+rwX,go+rX "$here/es8" "$here/os2"
du -sb "$here/es8" "$here/os2"
