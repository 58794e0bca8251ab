// A repository in a local directory (an fs repository's `location`, or a copy of one).
#pragma once

#include <string>

#include "essnap/repo/blob_container.hpp"

namespace essnap::repo {

class LocalContainer final : public BlobContainer {
 public:
  explicit LocalContainer(std::string root);

  Result<Listing> list(std::string_view dir) override;
  Status walk(std::string_view dir, const BlobVisitor& visit) override;
  Status stream(std::string_view path, const ChunkSink& sink) override;
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink) override;
  Result<std::optional<std::uint64_t>> size(std::string_view path) override;
  std::string describe() const override { return root_; }

 private:
  Result<std::string> full(std::string_view path) const;
  std::string root_;
};

}  // namespace essnap::repo
