// A store in a local directory (an fs repository's `location`, an export directory). Every put
// writes a temporary file beside its target, fsyncs it and renames it into place; put_if_absent
// links the temporary file to the name (link(2) fails with EEXIST: atomic), and copy is a put
// of the source's bytes. Symbolic links, to files or directories, are followed only when they
// resolve inside the root; one leading outside is refused (not listed, not read, not written).
#pragma once

#include <string>

#include "essnap/blob/blob_store.hpp"

namespace essnap::blob {

class LocalStore final : public BlobStore {
 public:
  explicit LocalStore(std::string root);

  Result<Listing> list(std::string_view dir) override;
  Status walk(std::string_view dir, const BlobVisitor& visit) override;
  Status stream(std::string_view path, const ChunkSink& sink) override;
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink) override;
  Result<std::optional<std::uint64_t>> size(std::string_view path) override;
  Status put(std::string_view path, std::string_view bytes) override;
  Status put_stream(std::string_view path, const ChunkProducer& produce) override;
  Status put_if_absent(std::string_view path, std::string_view bytes) override;
  Status remove(const std::vector<std::string>& paths) override;
  Status copy(std::string_view from, std::string_view to) override;
  bool supports(Capability c) const override { return c == Capability::kConditionalPut; }
  std::string describe() const override { return root_; }
  // The directory's absolute path (lexical, without the leading '/').
  std::string root_in_container() const override;
  Result<std::unique_ptr<BlobStore>> open_in_container(std::string_view path) const override;

 private:
  enum class Replace { kYes, kNo };
  Result<std::string> full(std::string_view path) const;
  // kNotFound when `p` resolves (through symbolic links) outside the root.
  Status inside_root(const std::string& p) const;
  Result<std::string> checked(std::string_view path) const;
  // Writes a temporary file from `produce`, fsyncs it and moves it to `path`.
  Status write_file(std::string_view path, const ChunkProducer& produce, Replace replace);
  std::string root_;
};

}  // namespace essnap::blob
