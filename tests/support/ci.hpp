// in_ci(): true when CI=true, where a test that needs the stack fails instead of skipping.
#pragma once

namespace essnap::test {

bool in_ci();

}  // namespace essnap::test
