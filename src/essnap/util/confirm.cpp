#include "essnap/util/confirm.hpp"

namespace essnap::util {

Result<Outcome> run_plan(const Plan& plan, const ConfirmPolicy& policy,
                         const std::function<void(const Plan&)>& print,
                         const std::function<Status()>& execute) {
  if (print) print(plan);
  if (plan.blocker) return *plan.blocker;
  if (policy.execution == Execution::kDryRun) return Outcome::kDryRun;
  if (plan.confirm == NeedsConfirmation::kYes && policy.assume_yes == AssumeYes::kNo) {
    const Answer a = policy.prompt ? policy.prompt(plan.question) : Answer::kNoTerminal;
    if (a != Answer::kYes)
      return Error(ErrorCode::kConflict,
                   std::string(a == Answer::kNo ? "not confirmed"
                                                : "not confirmed (no terminal to ask on)") +
                       "; " + plan.unchanged,
                   plan.yes_hint);
  }
  ESSNAP_TRY_STATUS(execute());
  return Outcome::kExecuted;
}

}  // namespace essnap::util
