// util::run_plan, the plan -> print -> confirm -> execute mechanism every destructive command
// shares: --yes, a terminal's yes and no, no terminal without --yes (exit 8, nothing executed),
// dry runs, blockers, and plans that need no confirmation.
#include <gtest/gtest.h>

#include "essnap/cli/exit_codes.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::util {
namespace {

struct ConfirmHarness {
  Plan plan;
  int printed = 0;
  int executed = 0;
  std::vector<std::string> asked;

  ConfirmHarness() {
    plan.summary = "will delete 2 things";
    plan.actions = {"a", "b"};
    plan.question = "Delete these 2 things?";
    plan.unchanged = "nothing was deleted";
    plan.yes_hint = "pass --yes to delete without a prompt";
  }
  ConfirmPolicy policy(AssumeYes yes, Execution ex, std::optional<Answer> answer) {
    ConfirmPolicy p;
    p.assume_yes = yes;
    p.execution = ex;
    if (answer)
      p.prompt = [this, a = *answer](const std::string& q) {
        asked.push_back(q);
        return a;
      };
    return p;
  }
  Result<Outcome> run(const ConfirmPolicy& p) {
    return run_plan(
        plan, p, [this](const Plan&) { ++printed; },
        [this]() -> Status {
          ++executed;
          return ok_status();
        });
  }
};

TEST(UtilConfirm, YesExecutesWithoutAsking) {
  ConfirmHarness h;
  auto r = h.run(h.policy(AssumeYes::kYes, Execution::kExecute, Answer::kNo));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, Outcome::kExecuted);
  EXPECT_EQ(h.executed, 1);
  EXPECT_EQ(h.printed, 1);
  EXPECT_TRUE(h.asked.empty());
}

TEST(UtilConfirm, TerminalYesExecutes) {
  ConfirmHarness h;
  auto r = h.run(h.policy(AssumeYes::kNo, Execution::kExecute, Answer::kYes));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(h.executed, 1);
  EXPECT_EQ(h.asked, std::vector<std::string>{"Delete these 2 things?"});
}

TEST(UtilConfirm, TerminalNoRefusesAndExecutesNothing) {
  ConfirmHarness h;
  auto r = h.run(h.policy(AssumeYes::kNo, Execution::kExecute, Answer::kNo));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message, "not confirmed; nothing was deleted");
  EXPECT_EQ(h.executed, 0);
  EXPECT_EQ(h.printed, 1) << "the plan is shown before asking";
}

TEST(UtilConfirm, NoTerminalWithoutYesExits8AndExecutesNothing) {
  ConfirmHarness h;
  for (auto p : {h.policy(AssumeYes::kNo, Execution::kExecute, Answer::kNoTerminal),
                 h.policy(AssumeYes::kNo, Execution::kExecute, std::nullopt)}) {
    auto r = h.run(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(cli::exit_code_for(r.error()), 8);
    EXPECT_NE(r.error().message.find("nothing was deleted"), std::string::npos);
    EXPECT_NE(r.error().hint.find("--yes"), std::string::npos);
  }
  EXPECT_EQ(h.executed, 0);
}

TEST(UtilConfirm, DryRunPrintsAndExecutesNothing) {
  ConfirmHarness h;
  for (auto yes : {AssumeYes::kNo, AssumeYes::kYes}) {
    auto r = h.run(h.policy(yes, Execution::kDryRun, Answer::kYes));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, Outcome::kDryRun);
  }
  EXPECT_EQ(h.executed, 0);
  EXPECT_EQ(h.printed, 2);
  EXPECT_TRUE(h.asked.empty());
}

TEST(UtilConfirm, BlockerIsReturnedAfterPrintingEvenWithYes) {
  ConfirmHarness h;
  h.plan.blocker = Error(ErrorCode::kConflict, "refusing to delete running snapshots");
  auto r = h.run(h.policy(AssumeYes::kYes, Execution::kExecute, Answer::kYes));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "refusing to delete running snapshots");
  EXPECT_EQ(h.printed, 1);
  EXPECT_EQ(h.executed, 0);
}

TEST(UtilConfirm, PlanThatNeedsNoConfirmationRunsWithoutAsking) {
  ConfirmHarness h;
  h.plan.confirm = NeedsConfirmation::kNo;
  auto r = h.run(h.policy(AssumeYes::kNo, Execution::kExecute, Answer::kNoTerminal));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(h.executed, 1);
  EXPECT_TRUE(h.asked.empty());
}

TEST(UtilConfirm, ExecuteErrorIsReturned) {
  ConfirmHarness h;
  auto r = run_plan(h.plan, h.policy(AssumeYes::kYes, Execution::kExecute, std::nullopt), nullptr,
                    [] { return Status(Error(ErrorCode::kRemote, "HTTP 500")); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "HTTP 500");
}

}  // namespace
}  // namespace essnap::util
