#include "essnap/util/result.hpp"

#include <gtest/gtest.h>

#include "essnap/cli/exit_codes.hpp"

namespace essnap {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return make_error(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> quarter(int x) {
  ESSNAP_TRY(int h, half(x));
  ESSNAP_TRY(int q, half(h));
  return q;
}

TEST(Result, TryPropagatesFirstError) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(ExitCodes, EachCategoryHasItsDocumentedCode) {
  EXPECT_EQ(cli::exit_code_for(Error(ErrorCode::kInvalidArgument, "")), 2);
  EXPECT_EQ(cli::exit_code_for(Error(ErrorCode::kNoCredentials, "")), 3);
  EXPECT_EQ(cli::exit_code_for(Error(ErrorCode::kTimeout, "")), 4);
  EXPECT_EQ(cli::exit_code_for(Error(ErrorCode::kRemote, "")), 5);
  EXPECT_EQ(cli::exit_code_for(Error(ErrorCode::kIo, "")), 7);
}

}  // namespace
}  // namespace essnap
